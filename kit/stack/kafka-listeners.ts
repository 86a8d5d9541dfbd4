/**
 * The broker's secured listeners, beside the plaintext one: SASL_SSL (SCRAM-SHA-256/512 and PLAIN users)
 * and SSL requiring a client certificate (mTLS), both with the stack's server certificate
 * (certificates.ts). The SCRAM user is created with Kafka's own ConfigCommand once the broker runs.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SinkError } from '../../src/core/errors.ts';
import { certificatePaths } from './certificates.ts';
import type { StackOptions } from './stack-options.ts';

const run = promisify(execFile);

/**
 * Broker n's SASL_SSL listener is its plaintext port + this; its mTLS listener + the other. Chosen clear
 * of the controllers (+10000) and of the 27xxx-29xxx / 39xxx ports the test suite's own stacks use.
 */
export const SASL_SSL_PORT_OFFSET = 12_000;
export const MTLS_PORT_OFFSET = 13_000;
/** The SASL account of the stack (SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN). */
export const KAFKA_SASL_USER = 'consumer';
export const KAFKA_SASL_PASSWORD = 'kafka-consumer1!';

export interface SecureListeners {
  /** `listeners=` entries after the plaintext one. */
  readonly listeners: readonly string[];
  /** `advertised.listeners=` entries after the plaintext one. */
  readonly advertised: readonly string[];
  /** Further server.properties lines. */
  readonly settings: readonly string[];
}

export function secureListeners(options: StackOptions, port: number): SecureListeners {
  const tls = certificatePaths(options);
  const saslSsl = `SASL_SSL://127.0.0.1:${port + SASL_SSL_PORT_OFFSET}`;
  const mtls = `SSL://127.0.0.1:${port + MTLS_PORT_OFFSET}`;
  const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  const plain = `org.apache.kafka.common.security.plain.PlainLoginModule required user_${KAFKA_SASL_USER}="${KAFKA_SASL_PASSWORD}";`;
  return {
    listeners: [saslSsl, mtls],
    advertised: [saslSsl, mtls],
    settings: [
      'sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN',
      `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${scram}`,
      `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${scram}`,
      `listener.name.sasl_ssl.plain.sasl.jaas.config=${plain}`,
      'ssl.keystore.type=PEM',
      `ssl.keystore.location=${tls.serverKeyStore}`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${tls.ca}`,
      'listener.name.ssl.ssl.client.auth=required',
    ],
  };
}

/** The secured listener ports of every broker, for the stack's port checks and the tests. */
export function secureAddresses(ports: readonly number[]): { saslSsl: string; mtls: string } {
  return {
    saslSsl: ports.map((p) => `127.0.0.1:${p + SASL_SSL_PORT_OFFSET}`).join(','),
    mtls: ports.map((p) => `127.0.0.1:${p + MTLS_PORT_OFFSET}`).join(','),
  };
}

/**
 * SCRAM credentials live in the cluster metadata: made once per cluster (a marker beside its id file),
 * through the plaintext listener, with Kafka's own ConfigCommand.
 */
export async function ensureScramUser(
  options: StackOptions,
  libs: string,
  clusterId: string,
  bootstrap: string,
): Promise<void> {
  const marker = join(options.dir, `kafka-scram-${clusterId}.done`);
  if (existsSync(marker)) return;
  // One mechanism per call: the broker refuses two credential changes of one user in one request.
  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) await addScram(libs, bootstrap, mechanism);
  writeFileSync(marker, '');
}

async function addScram(libs: string, bootstrap: string, mechanism: string): Promise<void> {
  const credentials = `${mechanism}=[iterations=4096,password=${KAFKA_SASL_PASSWORD}]`;
  try {
    await run('java', [
      '-cp',
      `${libs}/*`,
      'kafka.admin.ConfigCommand',
      '--bootstrap-server',
      bootstrap.split(',')[0] ?? bootstrap,
      '--alter',
      '--add-config',
      credentials,
      '--entity-type',
      'users',
      '--entity-name',
      KAFKA_SASL_USER,
    ]);
  } catch (error) {
    const said = ((error as { stderr?: string }).stderr ?? String(error)).trim().split('\n').pop() ?? '';
    throw new SinkError(
      'STACK_FAILED',
      `kafka: could not create the ${mechanism} user ${KAFKA_SASL_USER} (${said.slice(0, 200)})`,
    );
  }
}
