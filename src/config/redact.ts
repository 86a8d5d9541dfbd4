/** A copy of the config that is safe to log, print or serve on the status page. */
import { redactUrl } from './messages.ts';
import type { SinkConfig } from './schema.ts';

export const REDACTED = '***';

/** Property names whose values are credentials (librdkafka's sasl.password, ssl.key.password, ...). */
export function isSecretName(name: string): boolean {
  return /password|passwd|pwd|secret|credential|token|private\.key|\.pem$|oauthbearer\.config/i.test(name);
}

function redactRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, isSecretName(k) ? REDACTED : v]));
}

/** Plain, unfrozen, JSON-serialisable copy; the password and any credential is replaced by `***`. */
export function redactConfig(config: SinkConfig): SinkConfig {
  const copy = structuredClone(config) as {
    -readonly [K in keyof SinkConfig]: { -readonly [P in keyof SinkConfig[K]]: SinkConfig[K][P] };
  };
  copy.mysql.password = REDACTED;
  copy.mysql.url = redactUrl(copy.mysql.url);
  copy.mysql.params = redactRecord(config.mysql.params);
  copy.kafka.schemaRegistryUrl = redactUrl(config.kafka.schemaRegistryUrl);
  copy.kafka.consumerProperties = redactRecord(config.kafka.consumerProperties);
  return copy;
}
