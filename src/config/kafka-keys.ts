/** The `kafka.*` keys: brokers, topics, registry, group membership, security and raw librdkafka properties. */
import * as z from 'zod';
import { httpUrl, brokerList } from './address-types.ts';
import { key, prefixed } from './declare-keys.ts';
import { groupInstanceId, subjectNameStrategy, topicList, topicTemplate } from './name-types.ts';
import { isSecretName } from './secrets.ts';
import { anyText, oneOf, optionalFile, text, wholeNumber } from './value-types.ts';
import { SEED_KAFKA, KAFKA_SECURITY, KAFKA_CONSUMER } from './key-sections.ts';

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

export const kafka = z.object({
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
    doc: 'most bytes one fetch returns (small: a fetched answer waits outside the partition queues until they have room)',
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
