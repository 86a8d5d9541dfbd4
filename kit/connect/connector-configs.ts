/**
 * Connector and converter configurations as data. Pure: every value is rendered from arguments, nothing is
 * read from the environment.
 */

export const JDBC_SINK_CLASS = 'io.debezium.connector.jdbc.JdbcSinkConnector';
export const APICURIO_AVRO_CONVERTER_CLASS = 'io.apicurio.registry.utils.converter.AvroConverter';
export const BYTE_ARRAY_CONVERTER_CLASS = 'org.apache.kafka.connect.converters.ByteArrayConverter';

/** Apicurio's native REST API (v2) on the local registry; the converter does not speak the Confluent API. */
export function apicurioV2Url(registryPort: number, host = '127.0.0.1'): string {
  return `http://${host}:${registryPort}/apis/registry/v2`;
}

/** The registry's native v2 API on the host and port of its Confluent-compatible URL (what the sink uses). */
export function registryV2From(ccompatUrl: string): string {
  const url = new URL(ccompatUrl);
  return apicurioV2Url(Number(url.port || (url.protocol === 'https:' ? 443 : 80)), url.hostname);
}

/**
 * Apicurio's Avro converter reading records in the Confluent wire format (magic byte + 4-byte schema id),
 * as our producer and every Confluent client write them: the id is the registry's content id, and no
 * Apicurio headers are expected. `prefix` is `key.converter` or `value.converter`.
 */
export function apicurioAvroConverter(
  prefix: 'key.converter' | 'value.converter',
  registryV2Url: string,
): Record<string, string> {
  return {
    [prefix]: APICURIO_AVRO_CONVERTER_CLASS,
    [`${prefix}.apicurio.registry.url`]: registryV2Url,
    [`${prefix}.apicurio.registry.as-confluent`]: 'true',
    [`${prefix}.apicurio.registry.use-id`]: 'contentId',
    [`${prefix}.apicurio.registry.headers.enabled`]: 'false',
  };
}

/**
 * A MariaDB Connector/J URL for the JDBC sink. `nullDatabaseMeansCurrent=true`: the connector looks its
 * tables up without naming a database, which the driver otherwise takes as "any database", so a table of
 * the same name in another database (our sink's, in the benchmark) is taken for the connector's own and it
 * fails trying to ALTER it.
 */
export function mariadbUrl(host: string, port: number, database: string, options: { tls?: boolean } = {}): string {
  // trust: encrypted without checking the certificate, what mysql.ssl.mode=preferred does against a server
  // that offers TLS.
  const tls = options.tls === true ? '&sslMode=trust' : '';
  return `jdbc:mariadb://${host}:${port}/${encodeURIComponent(database)}?nullDatabaseMeansCurrent=true${tls}`;
}

export interface JdbcSinkSettings {
  readonly topics: readonly string[];
  /** `jdbc:mariadb://host:port/database` */
  readonly connectionUrl: string;
  readonly user: string;
  readonly password: string;
  readonly registryV2Url: string;
  readonly tasks: number;
  /** Rows per JDBC batch; the connector's default (500) when absent. */
  readonly batchSize?: number;
  /** The connector's consumer `max.poll.records`; the consumer default (500) when absent. */
  readonly maxPollRecords?: number;
  /**
   * Decode the record key too (Avro) even though `primary.key.mode=kafka` never uses it. Off by default:
   * the key is passed as bytes, which is the cheaper fair choice (our sink does not decode it either).
   */
  readonly decodeKey?: boolean;
  /** Any further connector properties (win over the rendered ones). */
  readonly extra?: Readonly<Record<string, string>>;
}

/**
 * Debezium's JDBC sink, at-least-once, as the benchmark's peer: plain INSERTs (`insert.mode=insert`),
 * rows keyed by their Kafka coordinates (`primary.key.mode=kafka`: a replay after a crash fails on the key
 * instead of duplicating), tables created from the record schema (`schema.evolution=basic`), identifiers
 * quoted like ours.
 */
export function jdbcSinkConfig(settings: JdbcSinkSettings): Record<string, string> {
  return {
    'connector.class': JDBC_SINK_CLASS,
    'tasks.max': String(settings.tasks),
    topics: settings.topics.join(','),
    'connection.url': settings.connectionUrl,
    'connection.username': settings.user,
    'connection.password': settings.password,
    'insert.mode': 'insert',
    'primary.key.mode': 'kafka',
    'schema.evolution': 'basic',
    'quote.identifiers': 'true',
    ...(settings.batchSize === undefined ? {} : { 'batch.size': String(settings.batchSize) }),
    ...(settings.maxPollRecords === undefined
      ? {}
      : { 'consumer.override.max.poll.records': String(settings.maxPollRecords) }),
    ...(settings.decodeKey === true
      ? apicurioAvroConverter('key.converter', settings.registryV2Url)
      : { 'key.converter': BYTE_ARRAY_CONVERTER_CLASS }),
    ...apicurioAvroConverter('value.converter', settings.registryV2Url),
    ...settings.extra,
  };
}

/** A config with its secrets masked, to print or store. */
export function redacted(config: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [key, /password|secret/i.test(key) ? '******' : value]),
  );
}

export const MARIADB_SOURCE_CLASS = 'io.debezium.connector.mariadb.MariaDbConnector';

export interface MariaDbSourceSettings {
  /** Topic prefix (Debezium's `topic.prefix`): the table's topic is `<prefix>.<database>.<table>`. */
  readonly topicPrefix: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** `database.include.list` and `table.include.list` (`db.table`). */
  readonly database: string;
  readonly tables: readonly string[];
  /** Unique among the binlog's readers (`database.server.id`). */
  readonly serverId: number;
  readonly bootstrapServers: string;
  readonly registryV2Url: string;
  /** ExtractNewRecordState: the row itself instead of the envelope; deletes become tombstones only. */
  readonly flatten: boolean;
  readonly extra?: Readonly<Record<string, string>>;
}

/**
 * Debezium's MariaDB source connector writing Avro through Apicurio's converter in the Confluent wire
 * format (what the sink reads), with the source columns' types and lengths as schema parameters
 * (`column.propagate.source.type`). Flattened: ExtractNewRecordState with `delete.tombstone.handling.mode
 * =tombstone`, so a delete is one tombstone.
 */
export function mariadbSourceConfig(settings: MariaDbSourceSettings): Record<string, string> {
  const writer = (prefix: 'key.converter' | 'value.converter'): Record<string, string> => ({
    ...apicurioAvroConverter(prefix, settings.registryV2Url),
    [`${prefix}.apicurio.registry.auto-register`]: 'true',
    [`${prefix}.apicurio.registry.find-latest`]: 'true',
  });
  return {
    'connector.class': MARIADB_SOURCE_CLASS,
    'tasks.max': '1',
    'topic.prefix': settings.topicPrefix,
    'database.hostname': settings.host,
    'database.port': String(settings.port),
    'database.user': settings.user,
    'database.password': settings.password,
    'database.server.id': String(settings.serverId),
    'database.include.list': settings.database,
    'table.include.list': settings.tables.map((t) => `${settings.database}.${t}`).join(','),
    'schema.history.internal.kafka.bootstrap.servers': settings.bootstrapServers,
    'schema.history.internal.kafka.topic': `${settings.topicPrefix}.schema-history`,
    'snapshot.mode': 'initial',
    // The broker creates no topics by itself: the worker does, with these settings (KIP-158).
    'topic.creation.default.replication.factor': '1',
    'topic.creation.default.partitions': '1',
    'include.schema.changes': 'false',
    'column.propagate.source.type': '.*',
    'database.ssl.mode': 'disable',
    ...writer('key.converter'),
    ...writer('value.converter'),
    ...(settings.flatten
      ? {
          transforms: 'unwrap',
          'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
          'transforms.unwrap.delete.tombstone.handling.mode': 'tombstone',
        }
      : {}),
    ...settings.extra,
  };
}
