/**
 * `produce`: N random records per topic, keyed by the first field, Confluent wire format (the seed's
 * producer did the same with several threads per topic).
 * Built to never be the bottleneck of a sink benchmark: the producer batches (fast-producer.ts), the JS
 * side encodes into reused buffers (record-factory.ts) and yields to the event loop only between chunks.
 * A full local queue means the broker is behind: poll, wait a moment, retry the record.
 */
import Kafka from '@confluentinc/kafka-javascript';
import type { Type } from 'avsc';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { RegistryClient } from '../../src/avro/registry-client.ts';
import { registryOptions } from '../../src/avro/registry-options.ts';
import type { SinkConfig } from '../../src/config/index.ts';
import { SinkError, isSinkError } from '../../src/core/errors.ts';
import { kafkaAddress, withMetadataClient } from '../../src/kafka/metadata-client.ts';
import { connectProducer, disconnectProducer, flushProducer } from './fast-producer.ts';
import { startProgress, type ProgressMode } from './progress.ts';
import { KEY_SCHEMA } from './provision.ts';
import { RecordFactory } from './record-factory.ts';
import { defaultSchemaFile, parseTopicSchema, readSchemaFile, type SchemaFile } from './schema-file.ts';

export interface ProduceOptions {
  /** Records per topic. */
  readonly records: number;
  /** Default: kafka.topics. */
  readonly topics?: readonly string[];
  /** Total records per second over all topics; default unthrottled. */
  readonly rate?: number;
  /** Producer clients; each topic is sent by exactly one of them (default 1, at most one per topic). */
  readonly concurrency?: number;
  /** Schema file; without it the registry's latest `<topic>-value` schema is used, else the seed file's. */
  readonly schemas?: string;
  /** Default 'none': callers using the function report by themselves. */
  readonly progress?: ProgressMode;
  readonly log?: (line: string) => void;
  /** Stops producing early; what was enqueued is still flushed and counted. */
  readonly signal?: AbortSignal;
}

export interface ProduceResult {
  /** Records delivered (acknowledged by the broker). */
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  /** Delivered records per topic. */
  readonly perTopic: Readonly<Record<string, number>>;
  /** Records the broker never acknowledged (delivery reports with an error). */
  readonly failed: number;
}

/** Records produced per topic between two looks at the rate limit, the abort signal and the event loop. */
const CHUNK = 2_000;
const QUEUE_FULL = Kafka.CODES.ERRORS.ERR__QUEUE_FULL;

interface TopicPlan {
  readonly topic: string;
  readonly factory: RecordFactory;
  readonly producer: Kafka.Producer;
  next: number;
  failed: number;
}

export async function produce(config: SinkConfig, options: ProduceOptions): Promise<ProduceResult> {
  const topics = [...new Set(options.topics ?? config.kafka.topics)];
  checkOptions(options, topics);
  const registry = new RegistryClient(registryOptions(config));
  const file = options.schemas === undefined ? undefined : readSchemaFile(options.schemas);

  // Fail on a missing topic before sending anything: auto-creation would make a 1-partition topic.
  await withMetadataClient(config, async (client) => {
    const cluster = await client.cluster();
    const missing = topics.filter((topic) => !cluster.topics.has(topic));
    if (missing.length > 0) {
      throw new SinkError(
        'USAGE',
        `topic${missing.length > 1 ? 's' : ''} ${missing.map((t) => JSON.stringify(t)).join(', ')} not found in ` +
          `Kafka at ${kafkaAddress(config).bootstrapServers}; run ./kms provision first`,
      );
    }
  });

  const runId = Date.now().toString(36);
  const maxStringChars = stringLimit(config.sink.stringType);
  const plans: TopicPlan[] = [];
  const producers: Kafka.Producer[] = [];
  const concurrency = Math.min(options.concurrency ?? 1, topics.length);
  try {
    for (let i = 0; i < concurrency; i++) producers.push(await connectProducer(config));
    for (const [index, topic] of topics.entries()) {
      const schema = await valueSchema(registry, file, topic);
      const keySchemaId = await registry.register(`${topic}-key`, JSON.stringify(KEY_SCHEMA));
      const factory = new RecordFactory({
        topic,
        type: schema.type,
        valueSchemaId: schema.id,
        keySchemaId,
        runId,
        maxStringChars,
      });
      plans.push({ topic, factory, producer: producers[index % concurrency] as Kafka.Producer, next: 0, failed: 0 });
    }
    for (const plan of plans) {
      plan.producer.on('delivery-report', (error, report) => {
        // Only failures are reported (delivery.report.only.error): this runs once per lost record.
        if (error && report.topic === plan.topic) plan.failed++;
      });
    }
    return await run(config, plans, producers, options);
  } finally {
    await Promise.all(producers.map((producer) => disconnectProducer(producer)));
  }
}

async function run(
  config: SinkConfig,
  plans: TopicPlan[],
  producers: Kafka.Producer[],
  options: ProduceOptions,
): Promise<ProduceResult> {
  const total = options.records * plans.length;
  const progress = startProgress({
    mode: options.progress ?? 'none',
    total,
    label: 'produce',
    ...(options.log ? { write: options.log } : {}),
  });
  const started = performance.now();
  let produced = 0;
  try {
    while (produced < total && options.signal?.aborted !== true) {
      let budget = CHUNK * plans.length;
      if (options.rate !== undefined) {
        const allowed = Math.floor((options.rate * (performance.now() - started)) / 1000) - produced;
        if (allowed <= 0) {
          await sleep(Math.max(1, Math.min(50, Math.ceil(((1 - allowed) * 1000) / options.rate))));
          continue;
        }
        budget = Math.min(budget, allowed);
      }
      let stalled = false;
      for (const plan of plans) {
        const share = Math.min(Math.ceil(budget / plans.length), options.records - plan.next);
        const sent = sendChunk(plan, share);
        produced += sent;
        if (sent < share) stalled = true;
      }
      progress.update(produced);
      // The local queue is full: librdkafka's threads are sending; give them a moment.
      if (stalled) await sleep(2);
      else await yieldToLoop();
    }
    await Promise.all(producers.map((producer) => flushProducer(config, producer)));
  } finally {
    progress.update(produced);
    progress.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const perTopic: Record<string, number> = {};
  let failed = 0;
  for (const plan of plans) {
    perTopic[plan.topic] = plan.next - plan.failed;
    failed += plan.failed;
  }
  const records = produced - failed;
  return { records, seconds, recordsPerSecond: seconds > 0 ? records / seconds : 0, perTopic, failed };
}

/** Sends up to `count` records of the plan; returns how many went into the queue before it filled. */
function sendChunk(plan: TopicPlan, count: number): number {
  const { producer, factory, topic } = plan;
  for (let i = 0; i < count; i++) {
    const record = factory.next(plan.next);
    try {
      producer.produce(topic, null, record.value, record.key, null);
    } catch (error) {
      if ((error as { code?: number }).code !== QUEUE_FULL) throw error;
      producer.poll();
      return i;
    }
    plan.next++;
  }
  return count;
}

function checkOptions(options: ProduceOptions, topics: readonly string[]): void {
  if (!Number.isSafeInteger(options.records) || options.records < 0)
    throw new SinkError('USAGE', `--records must be a whole number >= 0, got ${options.records}`);
  if (topics.length === 0) throw new SinkError('USAGE', '--topics names no topic');
  if (options.rate !== undefined && !(options.rate > 0))
    throw new SinkError('USAGE', `--rate must be > 0, got ${options.rate}`);
  const concurrency = options.concurrency ?? 1;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1)
    throw new SinkError('USAGE', `--concurrency must be a whole number >= 1, got ${concurrency}`);
}

/** VARCHAR(n) / CHAR(n) hold n characters; the TEXT types hold far more than produce ever writes. */
export function stringLimit(stringType: string): number {
  const match = /^(?:VAR)?CHAR\((\d+)\)$/i.exec(stringType.replace(/\s+/g, ''));
  return match ? Number(match[1]) : 255;
}

interface ValueSchema {
  readonly id: number;
  readonly type: Type;
}

/**
 * An explicit schema file wins (registered, idempotently). Otherwise the registry's latest schema, which
 * is what provision registered; the shipped seed file is the last resort.
 */
async function valueSchema(
  registry: RegistryClient,
  file: SchemaFile | undefined,
  topic: string,
): Promise<ValueSchema> {
  const subject = `${topic}-value`;
  if (file === undefined) {
    try {
      const latest = await registry.getLatest(subject);
      return { id: latest.id, type: latest.type };
    } catch (error) {
      if (!isSinkError(error, 'SCHEMA_NOT_FOUND')) throw error;
    }
  }
  const source = file ?? readSchemaFile(defaultSchemaFile());
  const schema = source.topics.get(topic);
  if (schema === undefined) {
    throw new SinkError(
      'USAGE',
      `topic ${JSON.stringify(topic)} has no value schema: no subject ${JSON.stringify(subject)} in the registry ` +
        `and none in ${JSON.stringify(source.path)}; run ./kms provision or pass --schemas <file>`,
    );
  }
  const type = parseTopicSchema(source, topic, schema);
  return { id: await registry.register(subject, schema), type };
}

/** The final line of `kms produce` (and the demo). */
export function formatProduceSummary(result: ProduceResult): string {
  const topics = Object.keys(result.perTopic).length;
  const failed = result.failed > 0 ? `, ${result.failed} FAILED` : '';
  return (
    `produced ${result.records} records (${topics} topic${topics === 1 ? '' : 's'}) in ` +
    `${result.seconds.toFixed(1)} s: ${Math.round(result.recordsPerSecond)} records/s${failed}`
  );
}
