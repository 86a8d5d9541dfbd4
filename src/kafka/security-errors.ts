/**
 * librdkafka reports a refused login or a failed TLS handshake only as client error events ("Local:
 * Authentication failure", "Local: SSL error") while it keeps reconnecting. Those are configuration
 * problems, not outages: waiting would retry the same credentials forever. Each client watches its
 * events while it connects and fails at the first one with one line naming the keys to fix (exit 2).
 */
import type Kafka from '@confluentinc/kafka-javascript';
import { SinkError, describeError } from '../core/errors.ts';

export function kafkaSecurityFailure(error: unknown, bootstrapServers: string): SinkError | undefined {
  const said = describeError(error);
  if (/authentication fail|sasl|invalid credentials/i.test(said)) {
    return new SinkError(
      'CONFIG_INVALID',
      `Kafka at ${bootstrapServers} refused the login (${said}); check kafka.sasl.username, kafka.sasl.password and kafka.sasl.mechanism`,
      { cause: error },
    );
  }
  if (/ssl|certificate|handshake/i.test(said)) {
    return new SinkError(
      'CONFIG_INVALID',
      `TLS to Kafka at ${bootstrapServers} failed (${said}): the broker's certificate is not trusted, or the broker refused ours; check kafka.ssl.ca.location (and kafka.ssl.certificate.location / kafka.ssl.key.location if it requires client certificates) and kafka.security.protocol`,
      { cause: error },
    );
  }
  return undefined;
}

/** Something librdkafka clients have: error events and a connect with a callback. */
interface Connectable {
  on(event: 'event.error', listener: (error: Kafka.LibrdKafkaError) => void): unknown;
  removeListener(event: 'event.error', listener: (error: Kafka.LibrdKafkaError) => void): unknown;
  connect(options: { timeout: number }, callback: (error: unknown) => void): unknown;
  disconnect(callback?: () => void): unknown;
}

/**
 * A failed connect's own error is only "broker transport failure"; the event naming the real cause may
 * follow it by a moment. With TLS or SASL configured a failed connect waits this long for it.
 */
const CAUSE_GRACE_MS = 2_000;

/**
 * `client.connect`, failing at once with the security failure when one shows up while connecting (the
 * client is then disconnected, so it stops retrying); `onError` words any other failure.
 */
export function connectChecked(
  client: Connectable,
  address: { readonly bootstrapServers: string; readonly security?: Readonly<Record<string, string>> | undefined },
  timeoutMs: number,
  onError: (error: unknown) => Error,
): Promise<void> {
  const { bootstrapServers } = address;
  const protocol = address.security?.['security.protocol'] ?? 'plaintext';
  const graceMs = protocol === 'plaintext' ? 0 : CAUSE_GRACE_MS;
  return new Promise((resolve, reject) => {
    let settled = false;
    const onEvent = (error: Kafka.LibrdKafkaError): void => {
      const failure = kafkaSecurityFailure(error, bootstrapServers);
      if (failure === undefined || settled) return;
      settled = true;
      client.removeListener('event.error', onEvent);
      try {
        client.disconnect();
      } catch {
        // Not connected yet: nothing to tear down.
      }
      reject(failure);
    };
    client.on('event.error', onEvent);
    client.connect({ timeout: timeoutMs }, (error) => {
      if (settled) return;
      const failure = error ? kafkaSecurityFailure(error, bootstrapServers) : undefined;
      const finish = (): void => {
        client.removeListener('event.error', onEvent);
        if (settled) return;
        settled = true;
        if (error) reject(failure ?? onError(error));
        else resolve();
      };
      if (error && failure === undefined && graceMs > 0) setTimeout(finish, graceMs);
      else finish();
    });
  });
}
