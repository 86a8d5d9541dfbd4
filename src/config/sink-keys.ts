/**
 * Every config key the sink accepts, declared once: name, kind of value (and so its checks and its type),
 * default, one-line doc, section of config/sink.properties, and whether it is a secret. The groups have the
 * loaded config's shape (`config.kafka.topics`, ...); sink-config.ts adds the values derived from them.
 * The `kafka.*` group lives beside it in kafka-keys.ts, the sections of the example file in key-sections.ts.
 * How to add a key: docs/architecture.md, "Config keys".
 */
import * as z from 'zod';
import { hostName, mysqlUrl } from './address-types.ts';
import { key, prefixed } from './declare-keys.ts';
import { SSL_MODES } from './jdbc-params.ts';
import { anyText, flag, fraction, oneOf, oneOfOrUnset, optionalFile, text, wholeNumber } from './value-types.ts';
import { BATCHING, ERRORS, MYSQL_TLS, SEED_BACK_PRESSURE, SEED_MYSQL, STATUS, TABLES } from './key-sections.ts';
import { cdcColumnList, columnType, fieldList, stringColumnType, tableName, topicTemplate } from './name-types.ts';
import { kafka } from './kafka-keys.ts';
export { SECTIONS } from './key-sections.ts';

const backpressure = z.object({
  maxPollRecords: key('max.poll.records', wholeNumber(1, 100_000), {
    section: SEED_BACK_PRESSURE,
    default: '500',
    doc: 'most records taken from Kafka per poll',
  }),
  pollIntervalMs: key('poll.interval.ms', wholeNumber(0, 600_000), {
    section: SEED_BACK_PRESSURE,
    default: '100',
    doc: 'how long one poll waits for records, in ms',
  }),
  /** Per-partition queue bound: at this size consuming pauses. */
  // 5000: with the record fetcher a resume costs no fetch round trip, and the deeper 10000 only held
  // ~30 MB more records (peak RSS 279-303 against 253-282 MB over 1M records, the same rate).
  queueSize: key('blocking.queue.size', wholeNumber(1, 10_000_000), {
    section: SEED_BACK_PRESSURE,
    default: '5000',
    doc: 'records queued per partition before consuming pauses (backpressure)',
  }),
  lowWatermark: key('sink.queue.low.watermark', fraction(0, 1), {
    section: BATCHING,
    default: '0.5',
    doc: 'resume consuming when the queue holds <= blocking.queue.size x this fraction',
  }),
});

const mysql = z.object({
  url: key('mysql.url', mysqlUrl, {
    section: SEED_MYSQL,
    default: 'jdbc:mysql://127.0.0.1:3307/bank',
    doc: 'database URL: jdbc:mysql://host:port/db, jdbc:mariadb://..., or mysql://user:pass@host:port/db',
  }),
  user: key('mysql.username', text, {
    section: SEED_MYSQL,
    default: 'consumer',
    doc: 'database user (wins over a user in mysql.url unless left at its default)',
  }),
  password: key('mysql.password', anyText, {
    section: SEED_MYSQL,
    default: 'consumer1!',
    doc: 'database password; never logged (prefer the env var KMS_MYSQL_PASSWORD)',
    secret: true,
  }),
  poolSize: key('mysql.maxPoolSize', wholeNumber(1, 1000), {
    section: SEED_MYSQL,
    default: '10',
    doc: 'most database connections',
  }),
  writeProtocol: key('mysql.write.protocol', oneOf(['text', 'bulk']), {
    section: BATCHING,
    default: 'bulk',
    doc: 'bulk = MariaDB bulk prepared statements (insert/upsert/ignore; MySQL has none, so text there); text = multi-row INSERT',
  }),
  ssl: z.object({
    /** At its default, `sslMode` in mysql.url, or verify_ca when mysql.ssl.ca is set, decide instead. */
    mode: key('mysql.ssl.mode', oneOf(SSL_MODES), {
      section: MYSQL_TLS,
      default: 'preferred',
      doc: "TLS to the database, MySQL's modes: disabled | preferred (TLS when offered) | required | verify_ca | verify_identity",
    }),
    ca: key('mysql.ssl.ca', optionalFile, {
      section: MYSQL_TLS,
      default: '',
      doc: "PEM file of the CA(s) the server's certificate must chain to (with it the mode defaults to verify_ca)",
    }),
    cert: key('mysql.ssl.cert', optionalFile, {
      section: MYSQL_TLS,
      default: '',
      doc: 'PEM file of the client certificate, for users created REQUIRE X509 (with mysql.ssl.key)',
    }),
    key: key('mysql.ssl.key', optionalFile, {
      section: MYSQL_TLS,
      default: '',
      doc: "PEM file of the client certificate's private key",
    }),
  }),
});

// Before `sink` so that errors.tolerance heads its section of the example file.
const errors = z.object({
  tolerance: key('errors.tolerance', oneOf(['all', 'none']), {
    section: ERRORS,
    default: 'all',
    doc: 'all: a record that can never be written goes to the dead-letter table; none: stop',
  }),
  deadLetterLogMax: key('errors.deadletter.log.max', wholeNumber(0, 1_000_000), {
    section: ERRORS,
    default: '10',
    doc: 'dead letters logged as one WARN line each, per partition and interval; the rest are counted in one line',
  }),
  deadLetterLogIntervalMs: key('errors.deadletter.log.interval.ms', wholeNumber(100, 3_600_000), {
    section: ERRORS,
    default: '10000',
    doc: 'interval of errors.deadletter.log.max, in ms',
  }),
});

const sink = z.object({
  tableTemplate: key('sink.table.template', topicTemplate, {
    section: TABLES,
    default: '${topic}',
    doc: 'table per topic; ${topic} is replaced by the topic name',
  }),
  batchMaxRecords: key('sink.batch.max.records', wholeNumber(1, 100_000), {
    section: BATCHING,
    default: '2000',
    doc: 'most records written in one transaction',
  }),
  batchLingerMs: key('sink.batch.linger.ms', wholeNumber(0, 60_000), {
    section: BATCHING,
    default: '10',
    doc: 'how long a partial batch waits for more records, in ms',
  }),
  insertMode: key('sink.insert.mode', oneOf(['insert', 'upsert', 'update', 'ignore']), {
    section: TABLES,
    default: 'insert',
    doc: 'insert | upsert (replace rows with the same key) | update (change existing rows only) | ignore (keep existing rows)',
  }),
  updateMissing: key('sink.update.missing', oneOf(['skip', 'dead_letter']), {
    section: TABLES,
    default: 'skip',
    doc: 'sink.insert.mode=update, a record whose row does not exist: skip (counted) | dead_letter',
  }),
  deleteEnabled: key('sink.delete.enabled', flag, {
    section: TABLES,
    default: 'false',
    doc: 'a tombstone (null value) deletes the row with its record key; needs sink.pk.mode=record_key',
  }),
  cdcFormat: key('sink.cdc.format', oneOf(['none', 'debezium']), {
    section: TABLES,
    default: 'none',
    doc: 'none | debezium: values are Debezium change events; c/r/u upsert the after row, d deletes by the record key (its tombstone is ignored); needs sink.pk.mode=record_key and sink.insert.mode=upsert',
  }),
  cdcColumns: key('sink.cdc.columns', cdcColumnList, {
    section: TABLES,
    default: '',
    doc: 'with sink.cdc.format=debezium, also store these, comma-separated: op (__op), source.ts_ms (__source_ts_ms), ts_ms (__ts_ms)',
  }),
  provenanceColumns: key('sink.provenance.columns', flag, {
    section: TABLES,
    default: 'true',
    doc: 'add _kafka_partition, _kafka_offset, _kafka_timestamp columns with a unique key',
  }),
  /** Normalised upper-case SQL type text, e.g. `VARCHAR(255)`, `LONGTEXT`. */
  stringType: key('sink.string.type', stringColumnType, {
    section: TABLES,
    default: 'VARCHAR(255)',
    doc: 'column type for Avro strings: VARCHAR(n), CHAR(n), TINYTEXT, TEXT, MEDIUMTEXT or LONGTEXT',
  }),
  /** Column type per record field, from `sink.column.type.<field>` keys (names without the prefix). */
  columnTypes: prefixed('sink.column.type.', columnType, {
    section: TABLES,
    doc: 'the column type of one record field, overriding the type derived from its schema, as sink.column.type.<field>, e.g.',
    example: { name: 'description', value: 'MEDIUMTEXT' },
    names: { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, what: 'a record field name', placeholder: 'field' },
  }),
  autoCreate: key('sink.auto.create', flag, {
    section: TABLES,
    default: 'true',
    doc: 'create a missing table from the record schema',
  }),
  autoEvolve: key('sink.auto.evolve', flag, {
    section: TABLES,
    default: 'true',
    doc: 'add columns, widen promoted types and too-short string columns (up to TEXT, MEDIUMTEXT, LONGTEXT) when the data needs it',
  }),
  fieldsInclude: key('sink.fields.include', fieldList, {
    section: TABLES,
    default: '',
    doc: 'only these record fields become columns, comma-separated (empty: all)',
  }),
  fieldsExclude: key('sink.fields.exclude', fieldList, {
    section: TABLES,
    default: '',
    doc: 'these record fields are dropped, comma-separated (not together with include)',
  }),
  /** As declared; '' (unset) is resolved by `effectivePkMode` (pk-mode.ts), which deriveConfig stores here. */
  pkMode: key('sink.pk.mode', oneOfOrUnset(['none', 'kafka', 'record_key', 'record_value']), {
    section: TABLES,
    default: '',
    doc: 'none | kafka (coordinates) | record_key | record_value; unset: record_value if sink.pk.fields is set, else kafka (none without provenance columns)',
  }),
  /** record_value: value fields; record_key: key fields (empty: all) or the primitive key's column name. */
  pkFields: key('sink.pk.fields', fieldList, {
    section: TABLES,
    default: '',
    doc: 'primary key fields, comma-separated: record_value: value fields; record_key: key fields (empty: all) or the column of a primitive key (empty: kafka_key)',
  }),
  keyFormat: key('sink.key.format', oneOf(['avro', 'string', 'int', 'long', 'bytes']), {
    section: TABLES,
    default: 'avro',
    doc: 'record keys (sink.pk.mode=record_key): avro (Confluent wire format) | string (UTF-8) | int | long (big-endian) | bytes',
  }),
  offsetsTable: key('sink.offsets.table', tableName, {
    section: TABLES,
    default: 'kafka_offsets',
    doc: 'table holding the committed offset of every partition',
  }),
  deadLetterTable: key('sink.deadletter.table', tableName, {
    section: TABLES,
    default: 'kafka_dead_letters',
    doc: 'table holding records that could not be written, with the reason',
  }),
  retryMaxMs: key('sink.retry.max.ms', wholeNumber(0, 86_400_000), {
    section: ERRORS,
    default: '300000',
    doc: 'total backoff budget for transient failures, in ms (0: no retry)',
  }),
  retryInitialMs: key('sink.retry.initial.ms', wholeNumber(1, 3_600_000), {
    section: ERRORS,
    default: '100',
    doc: 'first backoff delay in ms; later delays grow exponentially',
  }),
});

const status = z.object({
  port: key('status.port', wholeNumber(0, 65_535), {
    section: STATUS,
    default: '9464',
    doc: 'port of /metrics, /healthz and the status page (0: disabled)',
  }),
  host: key('status.host', hostName, {
    section: STATUS,
    default: '127.0.0.1',
    doc: 'address the status server listens on',
  }),
  healthGraceMs: key('status.health.grace.ms', wholeNumber(1_000, 3_600_000), {
    section: STATUS,
    default: '15000',
    doc: '/healthz answers 503 once the database, Kafka or the registry has not answered for this long, in ms',
  }),
});

const log = z.object({
  level: key('log.level', oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']), {
    section: STATUS,
    default: 'info',
    doc: 'trace | debug | info | warn | error | fatal | silent',
  }),
});

export const SINK_KEYS = z.object({ kafka, backpressure, mysql, errors, sink, status, log });

/** The declared values, as zod parses them; sink-config.ts derives the loaded config from these. */
export type KeyValues = z.output<typeof SINK_KEYS>;
