import { createServer } from 'node:net';
import { certificatePaths } from '../../../kit/stack/certificates.ts';
import { KAFKA_SASL_PASSWORD, KAFKA_SASL_USER, secureAddresses } from '../../../kit/stack/kafka-listeners.ts';
import { secureRegistryUrl } from '../../../kit/stack/registry-service.ts';
import { bootstrapServers, brokerPorts, registryUrl, stackOptions } from '../../../kit/stack/stack-options.ts';
import { type Connection, type Pool, connect, createLoginPool } from '../../../src/mysql/pool.ts';
import { PROJECT_ROOT } from './kms-cli.ts';
import { mysqlAddress, mysqlAdmin } from './mysql-server.ts';

/**
 * Where the integration tests find the services: the local stack (`./kms test` passes its addresses;
 * run directly, the stack options from the environment give the same ones), MariaDB included.
 */
const stack = stackOptions(PROJECT_ROOT);
export const BOOTSTRAP = process.env.KMS_BOOTSTRAP_SERVERS ?? bootstrapServers(stack);
export const REGISTRY = process.env.KMS_REGISTRY_URL ?? registryUrl(stack);
/** The stack's TLS material (`stack up` makes it): CA, server and client certificates, an unrelated CA. */
export const TLS_FILES = certificatePaths(stack);
/** The broker's secured listeners: SASL_SSL (SCRAM and PLAIN user KAFKA_SASL.user) and SSL with client certificates. */
export const SECURE_KAFKA = secureAddresses(brokerPorts(stack));
/** The registry's HTTPS address (the stack's server certificate, signed by TLS_FILES.ca). */
export const SECURE_REGISTRY = secureRegistryUrl(stack);
export const KAFKA_SASL = { user: KAFKA_SASL_USER, password: KAFKA_SASL_PASSWORD } as const;

/** The sink's keys for the stack's SASL_SSL listener: KAFKA_SASL with `mechanism`, trusting the stack's CA. */
export function saslSslSettings(mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'PLAIN'): Record<string, string> {
  return {
    'kafka.bootstrap.servers': SECURE_KAFKA.saslSsl,
    'kafka.security.protocol': 'SASL_SSL',
    'kafka.sasl.mechanism': mechanism,
    'kafka.sasl.username': KAFKA_SASL.user,
    'kafka.sasl.password': KAFKA_SASL.password,
    'kafka.ssl.ca.location': TLS_FILES.ca,
  };
}

/** The stack's MariaDB as its administrator: tests create and drop their own databases with it. */
export function rootConnection(database?: string): Promise<Connection> {
  const { host, port, user, password } = mysqlAdmin();
  return connect({ host, port, user, password, ...(database === undefined ? {} : { database }) });
}

/** The same administrator as a small pool: it survives a restart of the server (tests that stop it). */
export function rootPool(): Pool {
  const { host, port, user, password } = mysqlAdmin();
  return createLoginPool({ host, port, user, password });
}

/** The `mysql.url` of a database on the stack's MariaDB. */
export function mysqlUrl(database: string): string {
  return `jdbc:mysql://${mysqlAddress()}/${database}`;
}

/** `--set key=value` flags for a `./kms` command or a sink process. */
export function setFlags(values: Readonly<Record<string, string | number>>): string[] {
  return Object.entries(values).flatMap(([key, value]) => ['--set', `${key}=${value}`]);
}

/** A local port nothing listens on right now (for status.port, or an address that refuses connections). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
