import Kafka from '@confluentinc/kafka-javascript';
import { withMetadataClient } from '../../../src/kafka/metadata-client.ts';

/** Small promise wrappers over the native client's callback API, for tests that talk to a real broker. */

export interface TestRecord {
  readonly key: string;
  readonly value: string | Buffer;
}

export interface ConsumedRecord {
  /** The key as UTF-8 text ('' when there is none); `keyBytes` holds it as received. */
  readonly key: string;
  readonly keyBytes: Buffer | null;
  /** The value as UTF-8 text; `bytes` holds it as received. */
  readonly value: string;
  readonly bytes: Buffer;
  readonly partition: number;
  readonly offset: number;
  /** Epoch ms; undefined when the broker gave none. */
  readonly timestamp: number | undefined;
}

type Admin = ReturnType<typeof Kafka.AdminClient.create>;

/** Runs `work` with a fresh admin client, disconnected afterwards. */
async function withAdmin<T>(bootstrapServers: string, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = Kafka.AdminClient.create({
    'bootstrap.servers': bootstrapServers,
    'client.id': 'kms-test-admin',
    log_level: 0,
  });
  try {
    return await work(admin);
  } finally {
    admin.disconnect();
  }
}

export function createTopic(bootstrapServers: string, topic: Kafka.NewTopic, timeoutMs = 30_000): Promise<void> {
  return withAdmin(
    bootstrapServers,
    (admin) =>
      new Promise<void>((resolve, reject) => {
        admin.createTopic(topic, timeoutMs, (error) => (error ? reject(error) : resolve()));
      }),
  );
}

/** Deletes the topic; one that does not exist (any more) is fine. */
export function deleteTopic(bootstrapServers: string, topic: string, timeoutMs = 30_000): Promise<void> {
  return withAdmin(
    bootstrapServers,
    (admin) =>
      new Promise<void>((resolve, reject) => {
        admin.deleteTopic(topic, timeoutMs, (error) =>
          error && error.code !== Kafka.CODES.ERRORS.ERR_UNKNOWN_TOPIC_OR_PART ? reject(error) : resolve(),
        );
      }),
  );
}

export function describeTopic(
  bootstrapServers: string,
  topic: string,
  timeoutMs = 10_000,
): Promise<Kafka.TopicDescription> {
  return withAdmin(bootstrapServers, async (admin) => {
    const [description] = await new Promise<Kafka.TopicDescription[]>((resolve, reject) => {
      admin.describeTopics([topic], { timeout: timeoutMs }, (error, result) =>
        error ? reject(error) : resolve(result),
      );
    });
    if (description === undefined) throw new Error(`no description for topic ${topic}`);
    if (description.error) throw description.error;
    return description;
  });
}

/** Produces every record and resolves once each one has a successful delivery report. */
export async function produceAll(
  bootstrapServers: string,
  topic: string,
  records: readonly TestRecord[],
  config: Partial<Kafka.ProducerGlobalConfig> = {},
  timeoutMs = 60_000,
): Promise<void> {
  const producer = new Kafka.Producer({
    'bootstrap.servers': bootstrapServers,
    'client.id': 'kms-test-producer',
    dr_cb: true,
    log_level: 0,
    ...config,
  });
  await new Promise<void>((resolve, reject) =>
    producer.connect({ timeout: timeoutMs }, (error) => (error ? reject(error) : resolve())),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      let delivered = 0;
      const timer = setTimeout(
        () => reject(new Error(`only ${delivered} of ${records.length} records delivered to ${topic}`)),
        timeoutMs,
      );
      producer.on('delivery-report', (error) => {
        if (error) {
          clearTimeout(timer);
          reject(error);
          return;
        }
        if (++delivered === records.length) {
          clearTimeout(timer);
          resolve();
        }
      });
      producer.setPollInterval(50);
      for (const record of records) producer.produce(topic, null, Buffer.from(record.value), record.key);
    });
  } finally {
    await disconnect(producer);
  }
}

/**
 * Reads partitions 0..partitions-1 of `topic` from the beginning with a fresh consumer (manual assignment,
 * no commits) until `expected` records arrived. Rejects with what it got so far when the time is up.
 */
export async function consumeAll(
  bootstrapServers: string,
  topic: string,
  partitions: number,
  expected: number,
  timeoutMs = 60_000,
): Promise<ConsumedRecord[]> {
  const consumer = new Kafka.KafkaConsumer(
    {
      'bootstrap.servers': bootstrapServers,
      'group.id': `kms-test-${topic}`,
      'client.id': 'kms-test-consumer',
      'enable.auto.commit': false,
      log_level: 0,
    },
    { 'auto.offset.reset': 'earliest' },
  );
  await new Promise<void>((resolve, reject) =>
    consumer.connect({ timeout: timeoutMs }, (error) => (error ? reject(error) : resolve())),
  );
  try {
    consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0 })));
    consumer.setDefaultConsumeTimeout(500);
    const received: ConsumedRecord[] = [];
    const deadline = Date.now() + timeoutMs;
    while (received.length < expected) {
      if (Date.now() > deadline)
        throw new Error(`consumed ${received.length} of ${expected} records from ${topic} in ${timeoutMs} ms`);
      const batch = await new Promise<Kafka.Message[]>((resolve, reject) => {
        consumer.consume(100, (error, messages) => (error ? reject(error) : resolve(messages)));
      });
      for (const message of batch) {
        const bytes = message.value ?? Buffer.alloc(0);
        const keyBytes = message.key === undefined || message.key === null ? null : Buffer.from(message.key);
        received.push({
          key: keyBytes?.toString() ?? '',
          keyBytes,
          value: bytes.toString(),
          bytes,
          partition: message.partition,
          offset: message.offset,
          timestamp: message.timestamp,
        });
      }
    }
    return received;
  } finally {
    await disconnect(consumer);
  }
}

/** Every record of the topic, from offset 0 up to the end offsets of its partitions as they are now. */
export async function consumeToEnd(bootstrapServers: string, topic: string): Promise<ConsumedRecord[]> {
  const ends = await withMetadataClient({ bootstrapServers }, async (kafka) => {
    const partitions = (await kafka.cluster()).topics.get(topic)?.partitions ?? [];
    return Promise.all(partitions.map((partition) => kafka.endOffset(topic, partition)));
  });
  const total = ends.reduce((sum, end) => sum + end, 0);
  return consumeAll(bootstrapServers, topic, ends.length, total);
}

function disconnect(client: Kafka.Producer | Kafka.KafkaConsumer): Promise<void> {
  return new Promise((resolve) => {
    client.disconnect(() => resolve());
  });
}

/**
 * The group's committed offset per partition, as lag tools read it (OffsetFetch); partitions without one
 * are left out. Reads only: this client never joins the group.
 */
export async function groupCommittedOffsets(
  bootstrapServers: string,
  group: string,
  topic: string,
  partitions: number,
  timeoutMs = 10_000,
): Promise<Map<number, number>> {
  const reader = new Kafka.KafkaConsumer(
    { 'bootstrap.servers': bootstrapServers, 'group.id': group, 'client.id': 'kms-test-offsets', log_level: 0 },
    {},
  );
  await new Promise<void>((resolve, reject) =>
    reader.connect({ timeout: timeoutMs }, (error) => (error ? reject(error) : resolve())),
  );
  try {
    const toppars = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
    const committed = await new Promise<Kafka.TopicPartitionOffsetAndMetadata[]>((resolve, reject) => {
      reader.committed(toppars, timeoutMs, (error, result) => (error ? reject(error) : resolve(result)));
    });
    return new Map(committed.filter((c) => c.offset >= 0).map((c) => [c.partition, c.offset]));
  } finally {
    await new Promise<void>((resolve) => reader.disconnect(() => resolve()));
  }
}
