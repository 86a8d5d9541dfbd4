import { join } from 'node:path';
import { SinkError } from '../../src/core/errors.ts';

/** Where and how the local stack runs. Every field can be overridden from the environment so tests can
 * run a second, isolated stack (its own folder and ports) beside the default one. */
export interface StackOptions {
  /** Project root: the Maven pom for the broker lives under it. */
  readonly root: string;
  /** State folder: pid files, logs, data, unpacked downloads. */
  readonly dir: string;
  readonly brokers: 1 | 3;
  /** Client port of broker 1; broker n listens on firstPort + n - 1, its controller on that + 10000. */
  readonly kafkaFirstPort: number;
  readonly kafkaVersion: string;
  readonly registryPort: number;
  readonly registryVersion: string;
  readonly services: readonly ServiceName[];
  readonly readyTimeoutMs: number;
  /** The registry's own readiness wait (`KMS_REGISTRY_READY_TIMEOUT_MS`), default `readyTimeoutMs`. */
  readonly registryReadyTimeoutMs: number;
  /**
   * `own`: the stack runs a MariaDB server of its own (folder `mariadb/`, port `mariadbPort`, root over
   * TCP from 127.0.0.1 without a password). `external`: a server somebody else runs, reached through
   * the `KMS_MYSQL_ADMIN_*` settings; the stack only creates the sink's database and user on it.
   */
  readonly mariadb: MariaDbMode;
  readonly mariadbPort: number;
  /**
   * Write a row-based binary log (binlog_format=ROW, full row images, server id = the port): what a change
   * data capture source (Debezium) reads. Off for the sink's own server: a binlog costs a write per commit.
   */
  readonly mariadbBinlog?: boolean;
  /** Where the kit connects as administrator: the own server, or the external one. */
  readonly mysql: { host: string; port: number; adminUser: string; adminPassword: string };
}

export type MariaDbMode = 'own' | 'external';
export const DEFAULT_MARIADB_PORT = 3307;

export type ServiceName = 'kafka' | 'registry' | 'mariadb';
export const ALL_SERVICES: readonly ServiceName[] = ['kafka', 'registry', 'mariadb'];

export const KAFKA_VERSION = '4.1.1';
/** 3.0.x is the newest Apicurio 3 line that runs on Java 17 (3.1+ is built for Java 21). */
export const REGISTRY_VERSION = '3.0.9';

export function stackOptions(root: string, overrides: Partial<StackOptions> = {}, env = process.env): StackOptions {
  const brokers = overrides.brokers ?? (env.KMS_STACK_BROKERS === '3' ? 3 : 1);
  const mariadb = overrides.mariadb ?? mariadbModeFrom(env.KMS_MARIADB);
  const mariadbPort = overrides.mariadbPort ?? intFrom(env.KMS_MARIADB_PORT) ?? DEFAULT_MARIADB_PORT;
  const readyTimeoutMs = overrides.readyTimeoutMs ?? intFrom(env.KMS_STACK_READY_TIMEOUT_MS) ?? 120_000;
  return {
    root,
    dir: overrides.dir ?? env.KMS_STACK_DIR ?? join(root, '.stack'),
    brokers,
    kafkaFirstPort: overrides.kafkaFirstPort ?? intFrom(env.KMS_KAFKA_FIRST_PORT) ?? (brokers === 3 ? 9091 : 9092),
    kafkaVersion: overrides.kafkaVersion ?? env.KMS_KAFKA_VERSION ?? KAFKA_VERSION,
    registryPort: overrides.registryPort ?? intFrom(env.KMS_REGISTRY_PORT) ?? 8081,
    registryVersion: overrides.registryVersion ?? env.KMS_REGISTRY_VERSION ?? REGISTRY_VERSION,
    services: overrides.services ?? ALL_SERVICES,
    readyTimeoutMs,
    registryReadyTimeoutMs:
      overrides.registryReadyTimeoutMs ?? intFrom(env.KMS_REGISTRY_READY_TIMEOUT_MS) ?? readyTimeoutMs,
    mariadb,
    mariadbPort,
    mariadbBinlog: overrides.mariadbBinlog ?? false,
    mysql:
      overrides.mysql ??
      (mariadb === 'own'
        ? { host: '127.0.0.1', port: mariadbPort, adminUser: 'root', adminPassword: '' }
        : {
            host: env.KMS_MYSQL_ADMIN_HOST ?? '127.0.0.1',
            port: intFrom(env.KMS_MYSQL_ADMIN_PORT) ?? 3306,
            adminUser: env.KMS_MYSQL_ADMIN_USER ?? 'root',
            adminPassword: env.KMS_MYSQL_ADMIN_PASSWORD ?? '',
          }),
  };
}

function mariadbModeFrom(text: string | undefined): MariaDbMode {
  if (text === undefined || text === '' || text === 'own') return 'own';
  if (text === 'external') return 'external';
  throw new SinkError(
    'USAGE',
    `KMS_MARIADB must be "own" (the stack's own MariaDB server, the default) or "external" (a server of yours, set with KMS_MYSQL_ADMIN_HOST / _PORT / _USER / _PASSWORD), got "${text}"`,
  );
}

export function brokerPorts(options: StackOptions): number[] {
  return Array.from({ length: options.brokers }, (_, i) => options.kafkaFirstPort + i);
}

export function bootstrapServers(options: StackOptions): string {
  return brokerPorts(options)
    .map((port) => `127.0.0.1:${port}`)
    .join(',');
}

export function registryUrl(options: StackOptions): string {
  return `http://127.0.0.1:${options.registryPort}/apis/ccompat/v7`;
}

function intFrom(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number.parseInt(text, 10);
  return Number.isInteger(value) ? value : undefined;
}
