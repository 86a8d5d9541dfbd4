/**
 * Every config key the sink accepts, declared once: name, kind of value (and so its checks and its type),
 * default, one-line doc, section of config/sink.properties, and whether it is a secret. The groups have the
 * loaded config's shape (`config.kafka.topics`, ...); sink-config.ts adds the values derived from them.
 * How to add a key: docs/architecture.md, "Config keys".
 */
import * as z from 'zod';
import { httpUrl, brokerList, hostName, mysqlUrl } from './address-types.ts';
import { key, ownSection, prefixed, seedSection, type Section } from './declare-keys.ts';
import {
  cdcColumnList,
  columnType,
  fieldList,
  groupInstanceId,
  stringColumnType,
  subjectNameStrategy,
  tableName,
  topicList,
  topicTemplate,
} from './name-types.ts';
import { isSecretName } from './secrets.ts';
import { SSL_MODES } from './jdbc-params.ts';
import { anyText, flag, fraction, oneOf, oneOfOrUnset, optionalFile, text, wholeNumber } from './value-types.ts';

const SEED_KAFKA = seedSection('Kafka');
const SEED_BACK_PRESSURE = seedSection('Back Pressure');
const SEED_MYSQL = seedSection('MySQL');
const MYSQL_TLS = ownSection('MySQL TLS');
const KAFKA_SECURITY = ownSection('Kafka security');
const KAFKA_CONSUMER = ownSection('Kafka consumer');
const BATCHING = ownSection('Backpressure and batching');
const TABLES = ownSection('Tables');
const ERRORS = ownSection('Errors and retries');
const STATUS = ownSection('Status server and logging');

/** The sections of config/sink.properties in file order; within one, keys follow the declaration below. */
export const SECTIONS: readonly Section[] = [
  SEED_KAFKA,
  SEED_BACK_PRESSURE,
  SEED_MYSQL,
  MYSQL_TLS,
  KAFKA_SECURITY,
  KAFKA_CONSUMER,
  BATCHING,
  TABLES,
  ERRORS,
  STATUS,
];

/** librdkafka properties the sink sets itself; overriding them would break it or duplicate a key. */
const MANAGED_CONSUMER_PROPERTIES: Readonly<Record<string, string>> = {
  'bootstrap.servers': 'set kafka.bootstrap.servers instead',
  'group.id': 'set kafka.group.id.template instead',
  'client.id': 'set kafka.client.id instead',
  'session.timeout.ms': 'set kafka.session.timeout.ms instead',
  'group.instance.id': 'set kafka.group.instance.id instead',
  'fetch.max.bytes': 'set kafka.fetch.max.bytes instead',
  'enable.auto.commit': 'remove it: offsets are committed to MySQL with the rows, Kafka auto-commit must stay off',
  'enable.auto.offset.store':
    'remove it: offsets are committed to MySQL with the rows, Kafka auto-commit must stay off',
  'partition.assignment.strategy': 'remove it: the sink relies on cooperative-sticky incremental assignment',
  // Security settings are shared by every Kafka client of the sink and the tools, so they have own keys.
  'security.protocol': 'set kafka.security.protocol instead',
  'sasl.mechanism': 'set kafka.sasl.mechanism instead',
  'sasl.mechanisms': 'set kafka.sasl.mechanism instead',
  'sasl.username': 'set kafka.sasl.username instead',
  'sasl.password': 'set kafka.sasl.password instead',
  'ssl.ca.location': 'set kafka.ssl.ca.location instead',
  'ssl.certificate.location': 'set kafka.ssl.certificate.location instead',
  'ssl.key.location': 'set kafka.ssl.key.location instead',
};

const kafka = z.object({
  bootstrapServers: key('kafka.bootstrap.servers', brokerList, {
    section: SEED_KAFKA,
    default: '127.0.0.1:9092',
    doc: 'Kafka brokers, comma-separated host:port',
  }),
  topics: key('kafka.topics', topicList, {
    section: SEED_KAFKA,
    default: 'dataset1,dataset2,dataset3',
    doc: 'topics to sink, comma-separated; one table and one consumer group per topic',
  }),
  schemaRegistryUrl: key('kafka.schema.registry.url', httpUrl, {
    section: SEED_KAFKA,
    default: 'http://127.0.0.1:8081/apis/ccompat/v7',
    doc: 'Confluent-compatible schema registry base URL',
  }),
  valueSubjectNameStrategy: key('kafka.value.subject.name.strategy', subjectNameStrategy, {
    section: KAFKA_CONSUMER,
    default: 'TopicNameStrategy',
    doc: 'subject value schemas must be registered under: TopicNameStrategy (<topic>-value), RecordNameStrategy, TopicRecordNameStrategy',
  }),
  security: z.object({
    protocol: key('kafka.security.protocol', oneOf(['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl']), {
      section: KAFKA_SECURITY,
      default: 'PLAINTEXT',
      doc: 'PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL, for the sink and every ./kms command',
    }),
    saslMechanism: key('kafka.sasl.mechanism', oneOf(['plain', 'scram-sha-256', 'scram-sha-512']), {
      section: KAFKA_SECURITY,
      default: 'PLAIN',
      doc: 'with SASL_*: PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512',
    }),
    saslUsername: key('kafka.sasl.username', anyText, {
      section: KAFKA_SECURITY,
      default: '',
      doc: 'with SASL_*: the user name',
    }),
    saslPassword: key('kafka.sasl.password', anyText, {
      section: KAFKA_SECURITY,
      default: '',
      doc: 'with SASL_*: the password; never logged (prefer the env var KMS_KAFKA_SASL_PASSWORD)',
      secret: true,
    }),
    sslCaLocation: key('kafka.ssl.ca.location', optionalFile, {
      section: KAFKA_SECURITY,
      default: '',
      doc: "with SSL / SASL_SSL: PEM file of the CA(s) the brokers' certificates chain to (empty: the system's)",
    }),
    sslCertificateLocation: key('kafka.ssl.certificate.location', optionalFile, {
      section: KAFKA_SECURITY,
      default: '',
      doc: 'with SSL / SASL_SSL: PEM file of the client certificate, for brokers requiring one (mTLS)',
    }),
    sslKeyLocation: key('kafka.ssl.key.location', optionalFile, {
      section: KAFKA_SECURITY,
      default: '',
      doc: "PEM file of the client certificate's private key (unencrypted)",
    }),
  }),
  registry: z.object({
    credentialsSource: key('kafka.schema.registry.basic.auth.credentials.source', oneOf(['url', 'user_info']), {
      section: KAFKA_SECURITY,
      default: 'URL',
      doc: "registry basic auth from the URL's user:password@ (URL) or from the next key (USER_INFO), as Confluent's clients",
    }),
    userInfo: key('kafka.schema.registry.basic.auth.user.info', anyText, {
      section: KAFKA_SECURITY,
      default: '',
      doc: 'with USER_INFO: user:password for the registry; never logged',
      secret: true,
    }),
    caLocation: key('kafka.schema.registry.ssl.ca.location', optionalFile, {
      section: KAFKA_SECURITY,
      default: '',
      doc: "with an https registry URL: PEM file of the CA(s) of the registry's certificate (empty: Node's)",
    }),
  }),
  groupIdTemplate: key('kafka.group.id.template', topicTemplate, {
    section: KAFKA_CONSUMER,
    default: 'group-${topic}',
    doc: 'consumer group per topic; ${topic} is replaced by the topic name',
  }),
  clientId: key('kafka.client.id', text, {
    section: KAFKA_CONSUMER,
    default: 'kafka-mysql-sink',
    doc: 'Kafka client id, shown in broker logs and metrics',
  }),
  groupInstanceId: key('kafka.group.instance.id', groupInstanceId, {
    section: KAFKA_CONSUMER,
    default: 'auto',
    doc: 'static group membership: auto (<host>-<slot>, stable across restarts), none, or an id unique per instance',
  }),
  sessionTimeoutMs: key('kafka.session.timeout.ms', wholeNumber(1000, 3_600_000), {
    section: KAFKA_CONSUMER,
    default: '10000',
    doc: 'consumer group session timeout in ms (brokers accept 6000..1800000 by default)',
  }),
  fetchMaxBytes: key('kafka.fetch.max.bytes', wholeNumber(1, 2_147_483_135), {
    section: KAFKA_CONSUMER,
    default: '1048576',
    doc: 'most bytes one fetch returns (small: prefetched data is native memory outside the queues)',
  }),
  /** 0 = no committed-offset hint. */
  offsetHintIntervalMs: key('kafka.offset.hint.interval.ms', wholeNumber(0, 3_600_000), {
    section: KAFKA_CONSUMER,
    default: '5000',
    doc: "also commit the sink's positions to Kafka this often, for lag tools (never read back); 0 turns it off",
  }),
  /** librdkafka consumer properties from `kafka.consumer.<property>` keys, names without the prefix. */
  consumerProperties: prefixed('kafka.consumer.', anyText, {
    section: KAFKA_CONSUMER,
    doc: 'any other librdkafka consumer property passes through as kafka.consumer.<property>, e.g.',
    example: { name: 'auto.offset.reset', value: 'earliest' },
    names: { pattern: /^[a-z0-9]+(?:\.[a-z0-9]+)*$/, what: 'a librdkafka property', placeholder: 'property' },
    reserved: MANAGED_CONSUMER_PROPERTIES,
    secretNames: isSecretName,
  }),
});

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
  queueSize: key('blocking.queue.size', wholeNumber(1, 10_000_000), {
    section: SEED_BACK_PRESSURE,
    default: '10000',
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
    default: 'text',
    doc: 'text = multi-row INSERT; bulk = MariaDB bulk prepared statements (insert/upsert/ignore; text on MySQL)',
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
    doc: 'column type for Avro strings: VARCHAR(n), CHAR(n), TEXT, MEDIUMTEXT or LONGTEXT',
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
