/**
 * One Kafka client alone, in a process of its own: consume the bench topics from the start with a fresh
 * group, keep nothing, stop at `total` records. What is left is what the client itself costs per record
 * (fetch, decompression, one message object per record), the part of the sink's CPU no change to the
 * sink's own code can remove. Prints one JSON line: wall seconds, process CPU and main-thread CPU.
 *
 *   node kit/bench/client-floor-child.ts '<json of ClientFloorJob>'
 */
import Kafka from '@confluentinc/kafka-javascript';
import { Consumer } from '@platformatic/kafka';
import { fetchOptionsOf } from '../../src/kafka/fetch-options.ts';
import { withMetadataClient } from '../../src/kafka/metadata-client.ts';
import { RecordFetcher } from '../../src/kafka/record-fetcher.ts';

export type FloorClient = 'librdkafka' | 'platformatic' | 'sink-fetcher';

export interface ClientFloorJob {
  readonly client: FloorClient;
  readonly bootstrapServers: string;
  readonly topics: readonly string[];
  readonly total: number;
  readonly group: string;
  /** librdkafka: the sink's own consumer settings (consumerConfig), group aside. */
  readonly librdkafkaConfig: Readonly<Record<string, string | number | boolean>>;
  readonly maxPollRecords: number;
  readonly pollIntervalMs: number;
  /** platformatic: the same fetch bounds as the sink's librdkafka settings. */
  readonly maxBytes: number;
  readonly maxBytesPerPartition: number;
}

export interface ClientFloorSample {
  readonly client: FloorClient;
  readonly records: number;
  readonly seconds: number;
  /** Process CPU (all threads), microseconds. */
  readonly cpuMicros: number;
  /** Main thread only, microseconds. */
  readonly mainThreadMicros: number;
}

function librdkafkaTopic(job: ClientFloorJob, topic: string, counted: (n: number) => boolean): Promise<void> {
  const consumer = new Kafka.KafkaConsumer(
    { ...job.librdkafkaConfig, 'group.id': `${job.group}-${topic}` } as Kafka.ConsumerGlobalConfig,
    { 'auto.offset.reset': 'earliest' },
  );
  return new Promise((resolve, reject) => {
    consumer.connect({}, (error) => {
      if (error) return reject(error);
      consumer.subscribe([topic]);
      consumer.setDefaultConsumeTimeout(job.pollIntervalMs);
      const loop = (): void =>
        consumer.consume(job.maxPollRecords, (failure, messages) => {
          if (failure) {
            // After the first fetch the promise is settled: say why and stop rather than hang.
            console.error(`consume failed: ${failure.message}`);
            process.exit(1);
          }
          if (!counted(messages.length)) setImmediate(loop);
        });
      loop();
      resolve();
    });
  });
}

async function platformaticTopic(job: ClientFloorJob, topic: string, counted: (n: number) => boolean): Promise<void> {
  const consumer = new Consumer({
    groupId: `${job.group}-${topic}`,
    clientId: 'kms-bench-floor',
    bootstrapBrokers: job.bootstrapServers.split(','),
  });
  const stream = await consumer.consume({
    topics: [topic],
    mode: 'earliest',
    autocommit: false,
    maxBytes: job.maxBytes,
    maxBytesPerPartition: job.maxBytesPerPartition,
  });
  stream.on('data', () => counted(1));
}

/** The sink's own record path: its RecordFetcher with its own settings, fetching every partition from 0. */
async function sinkFetcherTopic(job: ClientFloorJob, topic: string, counted: (n: number) => boolean): Promise<void> {
  const partitions = await withMetadataClient(
    { bootstrapServers: job.bootstrapServers },
    async (kafka) => (await kafka.cluster()).topics.get(topic)?.partitions.length ?? 0,
  );
  const fetcher = new RecordFetcher(
    topic,
    `${job.group}-${topic}`,
    fetchOptionsOf(job.librdkafkaConfig),
    job.maxPollRecords,
    {
      onRecords: (_partition, records) => {
        if (counted(records.length)) void fetcher.stop();
      },
      onFetchError: (message) => {
        console.error(`fetch failed: ${message}`);
        process.exit(1);
      },
      onOffsetReset: () => {},
    },
  );
  for (let partition = 0; partition < partitions; partition++) fetcher.add(partition, 0);
  fetcher.start();
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as ClientFloorJob;
  // The clock and the CPU counters start at the first record: start-up and the group join are not per record.
  let cpu0 = process.cpuUsage();
  let thread0 = process.threadCpuUsage();
  let started = performance.now();
  let seen = 0;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const counted = (n: number): boolean => {
    if (seen === 0 && n > 0) {
      cpu0 = process.cpuUsage();
      thread0 = process.threadCpuUsage();
      started = performance.now();
    }
    seen += n;
    if (seen >= job.total) finish();
    return seen >= job.total;
  };
  await Promise.all(
    job.topics.map((topic) =>
      job.client === 'librdkafka'
        ? librdkafkaTopic(job, topic, counted)
        : job.client === 'platformatic'
          ? platformaticTopic(job, topic, counted)
          : sinkFetcherTopic(job, topic, counted),
    ),
  );
  await done;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const thread = process.threadCpuUsage(thread0);
  const sample: ClientFloorSample = {
    client: job.client,
    records: seen,
    seconds,
    cpuMicros: cpu.user + cpu.system,
    mainThreadMicros: thread.user + thread.system,
  };
  // No graceful close: librdkafka's disconnect can wait on a consume call still in flight, and these
  // groups never commit anything; the broker forgets them after the session timeout.
  process.stdout.write(`${JSON.stringify(sample)}\n`, () => process.exit(0));
}

await main();
