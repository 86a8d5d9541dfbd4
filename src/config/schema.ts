/**
 * Every config key the sink accepts, with its default and range, and the typed shape it loads into.
 * Defaults are written as the text a properties file would hold, so they go through the same parsing and
 * validation as user input and the example file can be checked against them.
 */
import type { MysqlEndpoint } from './jdbc-url.ts';

export type KeyKind =
  | 'string'
  | 'secret'
  | 'integer'
  | 'fraction'
  | 'boolean'
  | 'enum'
  | 'topics'
  | 'servers'
  | 'http-url'
  | 'mysql-url'
  | 'template'
  | 'sql-string-type'
  | 'table'
  | 'fields'
  | 'host';

export interface KeySpec {
  readonly key: string;
  readonly kind: KeyKind;
  /** Default, as properties-file text. */
  readonly default: string;
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
  /** Key of the seed system (accepted unchanged, same meaning). */
  readonly seed: boolean;
  /** One line for the example file and `--help`-style listings. */
  readonly description: string;
}

export const INSERT_MODES = ['insert', 'upsert', 'ignore'] as const;
export type InsertMode = (typeof INSERT_MODES)[number];
export const ERROR_TOLERANCES = ['all', 'none'] as const;
export type ErrorTolerance = (typeof ERROR_TOLERANCES)[number];
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Prefix of librdkafka consumer properties passed through as-is (`kafka.consumer.<property>`). */
export const CONSUMER_PASSTHROUGH_PREFIX = 'kafka.consumer.';

const seed = (key: string, kind: KeyKind, def: string, description: string, extra: Partial<KeySpec> = {}): KeySpec =>
  Object.freeze({ key, kind, default: def, seed: true, description, ...extra });
const own = (key: string, kind: KeyKind, def: string, description: string, extra: Partial<KeySpec> = {}): KeySpec =>
  Object.freeze({ key, kind, default: def, seed: false, description, ...extra });

export const CONFIG_KEYS: readonly KeySpec[] = Object.freeze([
  seed('kafka.bootstrap.servers', 'servers', '127.0.0.1:9092', 'Kafka brokers, comma-separated host:port'),
  seed(
    'kafka.topics',
    'topics',
    'dataset1,dataset2,dataset3',
    'topics to sink, comma-separated; one table and one consumer group per topic',
  ),
  seed(
    'kafka.schema.registry.url',
    'http-url',
    'http://127.0.0.1:8081/apis/ccompat/v7',
    'Confluent-compatible schema registry base URL',
  ),
  seed('max.poll.records', 'integer', '500', 'most records taken from Kafka per poll', { min: 1, max: 100_000 }),
  seed('poll.interval.ms', 'integer', '100', 'how long one poll waits for records, in ms', { min: 0, max: 600_000 }),
  seed(
    'blocking.queue.size',
    'integer',
    '10000',
    'records queued per partition before consuming pauses (backpressure)',
    { min: 1, max: 10_000_000 },
  ),
  seed(
    'mysql.url',
    'mysql-url',
    'jdbc:mysql://127.0.0.1:3307/bank',
    'database URL: jdbc:mysql://host:port/db, jdbc:mariadb://..., or mysql://user:pass@host:port/db',
  ),
  seed(
    'mysql.username',
    'string',
    'consumer',
    'database user (wins over a user in mysql.url unless left at its default)',
  ),
  seed(
    'mysql.password',
    'secret',
    'consumer1!',
    'database password; never logged (prefer the env var KMS_MYSQL_PASSWORD)',
  ),
  seed('mysql.maxPoolSize', 'integer', '10', 'most database connections', { min: 1, max: 1000 }),

  own(
    'kafka.group.id.template',
    'template',
    'group-${topic}',
    'consumer group per topic; ${topic} is replaced by the topic name',
  ),
  own('kafka.client.id', 'string', 'kafka-mysql-sink', 'Kafka client id, shown in broker logs and metrics'),
  own(
    'kafka.session.timeout.ms',
    'integer',
    '10000',
    'consumer group session timeout in ms (brokers accept 6000..1800000 by default)',
    { min: 1000, max: 3_600_000 },
  ),
  own(
    'kafka.offset.hint.interval.ms',
    'integer',
    '5000',
    "also commit the sink's positions to Kafka this often, for lag tools (never read back); 0 turns it off",
    { min: 0, max: 3_600_000 },
  ),
  own(
    'kafka.fetch.max.bytes',
    'integer',
    '1048576',
    'most bytes one fetch returns (small: prefetched data is native memory outside the queues)',
    { min: 1, max: 2_147_483_135 },
  ),
  own('sink.table.template', 'template', '${topic}', 'table per topic; ${topic} is replaced by the topic name'),
  own('sink.batch.max.records', 'integer', '2000', 'most records written in one transaction', { min: 1, max: 100_000 }),
  own('sink.batch.linger.ms', 'integer', '10', 'how long a partial batch waits for more records, in ms', {
    min: 0,
    max: 60_000,
  }),
  own(
    'sink.queue.low.watermark',
    'fraction',
    '0.5',
    'resume consuming when the queue holds <= blocking.queue.size x this fraction',
    { min: 0, max: 1 },
  ),
  own(
    'sink.insert.mode',
    'enum',
    'insert',
    'insert | upsert (replace rows with the same key) | ignore (keep existing rows)',
    { values: INSERT_MODES },
  ),
  own(
    'sink.provenance.columns',
    'boolean',
    'true',
    'add _kafka_partition, _kafka_offset, _kafka_timestamp columns with a unique key',
  ),
  own(
    'sink.string.type',
    'sql-string-type',
    'VARCHAR(255)',
    'column type for Avro strings: VARCHAR(n), CHAR(n), TEXT, MEDIUMTEXT or LONGTEXT',
  ),
  own('sink.auto.create', 'boolean', 'true', 'create a missing table from the record schema'),
  own('sink.auto.evolve', 'boolean', 'true', 'add columns / widen types when the record schema evolves'),
  own('sink.fields.include', 'fields', '', 'only these record fields become columns, comma-separated (empty: all)'),
  own(
    'sink.fields.exclude',
    'fields',
    '',
    'these record fields are dropped, comma-separated (not together with include)',
  ),
  own(
    'sink.pk.fields',
    'fields',
    '',
    "record fields forming the table's primary key, comma-separated (empty: the Kafka coordinates); with sink.insert.mode=upsert a table keeps the latest record per key",
  ),
  own(
    'errors.tolerance',
    'enum',
    'all',
    'all: a record that can never be written goes to the dead-letter table; none: stop',
    { values: ERROR_TOLERANCES },
  ),
  own('sink.offsets.table', 'table', 'kafka_offsets', 'table holding the committed offset of every partition'),
  own(
    'sink.deadletter.table',
    'table',
    'kafka_dead_letters',
    'table holding records that could not be written, with the reason',
  ),
  own('sink.retry.max.ms', 'integer', '300000', 'total backoff budget for transient failures, in ms (0: no retry)', {
    min: 0,
    max: 86_400_000,
  }),
  own('sink.retry.initial.ms', 'integer', '100', 'first backoff delay in ms; later delays grow exponentially', {
    min: 1,
    max: 3_600_000,
  }),
  own('status.port', 'integer', '9464', 'port of /metrics, /healthz and the status page (0: disabled)', {
    min: 0,
    max: 65_535,
  }),
  own('status.host', 'host', '127.0.0.1', 'address the status server listens on'),
  own('log.level', 'enum', 'info', 'trace | debug | info | warn | error | fatal | silent', { values: LOG_LEVELS }),
]);

export const KEY_SPECS: ReadonlyMap<string, KeySpec> = new Map(CONFIG_KEYS.map((spec) => [spec.key, spec]));

/** `KMS_` + key upper-cased with `.` → `_`: `mysql.password` → `KMS_MYSQL_PASSWORD`. */
export function envVarFor(key: string): string {
  return `KMS_${key.toUpperCase().replace(/\./g, '_')}`;
}

/** Extra accepted env names: camelCase split into words (`KMS_MYSQL_MAX_POOL_SIZE`). */
export function envAliasesFor(key: string): readonly string[] {
  const split = `KMS_${key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .replace(/\./g, '_')}`;
  return split === envVarFor(key) ? [] : [split];
}

/** The loaded configuration. Deeply frozen; `redactConfig` gives a copy safe to print. */
export interface SinkConfig {
  readonly kafka: {
    readonly bootstrapServers: readonly string[];
    readonly topics: readonly string[];
    readonly schemaRegistryUrl: string;
    readonly groupIdTemplate: string;
    readonly clientId: string;
    readonly sessionTimeoutMs: number;
    readonly fetchMaxBytes: number;
    /** `kafka.offset.hint.interval.ms`; 0 = no committed-offset hint. */
    readonly offsetHintIntervalMs: number;
    /** librdkafka consumer properties from `kafka.consumer.<property>` keys, names without the prefix. */
    readonly consumerProperties: Readonly<Record<string, string>>;
  };
  readonly backpressure: {
    readonly maxPollRecords: number;
    readonly pollIntervalMs: number;
    /** Per-partition queue bound (`blocking.queue.size`): at this size consuming pauses. */
    readonly queueSize: number;
    /** `sink.queue.low.watermark` fraction. */
    readonly lowWatermark: number;
    /** Resume consuming when the queue holds at most this many records: floor(queueSize × lowWatermark). */
    readonly resumeAt: number;
  };
  readonly mysql: MysqlEndpoint & {
    readonly user: string;
    readonly password: string;
    readonly poolSize: number;
    /** `mysql.url` with credentials masked: for display only. */
    readonly url: string;
  };
  readonly sink: {
    readonly tableTemplate: string;
    readonly batchMaxRecords: number;
    readonly batchLingerMs: number;
    readonly insertMode: InsertMode;
    readonly provenanceColumns: boolean;
    /** Normalised upper-case SQL type text, e.g. `VARCHAR(255)`, `LONGTEXT`. */
    readonly stringType: string;
    readonly autoCreate: boolean;
    readonly autoEvolve: boolean;
    readonly fieldsInclude: readonly string[];
    readonly fieldsExclude: readonly string[];
    /** `sink.pk.fields`: the primary key's record fields; empty = the Kafka coordinates (provenance columns). */
    readonly pkFields: readonly string[];
    readonly offsetsTable: string;
    readonly deadLetterTable: string;
    readonly retryMaxMs: number;
    readonly retryInitialMs: number;
  };
  readonly errors: { readonly tolerance: ErrorTolerance };
  readonly status: { readonly host: string; readonly port: number };
  readonly log: { readonly level: LogLevel };
  /** Where each effective value came from: `default`, `<file>:<line>`, `environment variable KMS_X`, `--set`. */
  readonly origins: Readonly<Record<string, string>>;
}
