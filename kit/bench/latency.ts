/**
 * Produce → commit latency at a steady offered rate. Every record's send time is kept by index (the
 * librdkafka opaque); its delivery report gives its partition and offset. `kafka_offsets` is polled every
 * ~10 ms on its own connection; a record is committed at the first poll whose stored offset is beyond it
 * (the time the poll's answer arrived: an upper bound, at most one poll interval late).
 */
import Kafka from '@confluentinc/kafka-javascript';
import { setTimeout as sleep } from 'node:timers/promises';
import { clientSettings, kafkaAddress, withMetadataClient } from '../../src/kafka/metadata-client.ts';
import { RegistryClient } from '../../src/avro/registry-client.ts';
import { registryOptions } from '../../src/avro/registry-options.ts';
import { stringLimit } from '../tools/produce.ts';
import { KEY_SCHEMA } from '../tools/provision.ts';
import { RecordFactory } from '../tools/record-factory.ts';
import type { BenchEnv } from './bench-env.ts';
import { OffsetWatch } from './offset-watch.ts';
import { commitTime, summarizeLatencies, type LatencySummary } from './stats.ts';
import { cpuReading, cpuShare, type CpuShare } from './e2e.ts';

export interface LatencyResult extends LatencySummary {
  readonly offeredRate: number;
  /** Half the end-to-end maximum, as the latency target is stated, or fixed by `--latency-rate` for an A/B. */
  readonly offeredAs?: 'half-max' | 'fixed';
  /** Records delivered per second over the sending window. */
  readonly achievedRate: number;
  readonly seconds: number;
  readonly delivered: number;
  /** Records never seen committed before the wait gave up. */
  readonly uncommitted: number;
  readonly meanPollMs: number;
  /** CPU of the sink, MariaDB, the broker, this process (the producer) and the rest while sending. */
  readonly cpu: CpuShare;
  /** Per second of sending: records sent then, their p50 and p99 (shows a backlog building up). */
  readonly timeline: readonly {
    readonly second: number;
    readonly count: number;
    readonly p50: number;
    readonly p99: number;
  }[];
}

const PRODUCER_LINGER_MS = 5;
/** Records encoded ahead of the timed window, sent round and round. */
const PRODUCE_POOL_SIZE = 60_000;

export async function measureLatency(
  env: BenchEnv,
  topics: readonly string[],
  sinkPid: number,
  rate: number,
  seconds: number,
): Promise<LatencyResult> {
  const config = env.config(topics);
  const services = env.services();
  const registry = new RegistryClient(registryOptions(config));
  const runId = `lat${Date.now().toString(36)}`;
  const factories: RecordFactory[] = [];
  for (const topic of topics) {
    const latest = await registry.getLatest(`${topic}-value`);
    const keySchemaId = await registry.register(`${topic}-key`, JSON.stringify(KEY_SCHEMA));
    factories.push(
      new RecordFactory({
        topic,
        type: latest.type,
        valueSchemaId: latest.id,
        keySchemaId,
        runId,
        maxStringChars: stringLimit(config.sink.stringType),
      }),
    );
  }
  const producer = new Kafka.Producer({
    ...clientSettings(kafkaAddress(config)),
    'client.id': `${config.kafka.clientId}-bench-latency`,
    'linger.ms': PRODUCER_LINGER_MS,
    'compression.codec': 'lz4',
    acks: -1,
    'enable.idempotence': true,
    // No delivery report per record: a JS callback per record cost the producer as much CPU as the sink
    // spends on it. Offsets are known without it (below) and checked against the end offsets after.
    dr_cb: false,
    log_level: 0,
  });
  await new Promise<void>((resolve, reject) =>
    producer.connect({ timeout: 10_000 }, (error) => (error ? reject(error) : resolve())),
  );
  producer.setPollInterval(5);

  const capacity = Math.ceil(rate * seconds * 1.2) + 1000;
  const sentAt = new Float64Array(capacity);
  // Where each sent record lands: partition key index and offset, by send index.
  const sentTo = new Int32Array(capacity);
  const sentOffset = new Float64Array(capacity);
  const keys = new Map<string, number>();
  const keyNames: string[] = [];
  const keyOf = (topic: string, partition: number): number => {
    const name = `${topic}/${partition}`;
    let index = keys.get(name);
    if (index === undefined) {
      index = keyNames.length;
      keys.set(name, index);
      keyNames.push(name);
    }
    return index;
  };
  // Where the k-th record sent to a partition lands: one idempotent producer and nobody else writing, so
  // at the partition's end offset + k. Checked against the end offsets once everything is flushed.
  const targets = await withMetadataClient(config, async (kafka) => {
    const cluster = await kafka.cluster();
    const list: { topic: string; partition: number; key: number; next: number }[] = [];
    for (const topic of topics) {
      for (const partition of cluster.topics.get(topic)?.partitions ?? []) {
        list.push({ topic, partition, key: keyOf(topic, partition), next: await kafka.endOffset(topic, partition) });
      }
    }
    return list;
  });
  const byTopic = topics.map((topic) => targets.filter((t) => t.topic === topic));
  const expected = targets.map((t) => t.next);

  // Commit history per partition, from polling.
  const history = new Map<string, { t: number; offset: number }[]>();
  const watch = await OffsetWatch.open(env, topics);
  watch.setOrigin(0);
  let polls = 0;
  const pollStarted = performance.now();
  let stopPolling = false;
  const poller = (async () => {
    for (;;) {
      const snapshot = await watch.read();
      polls++;
      for (const [name, offset] of snapshot.offsets) {
        const list = history.get(name) ?? [];
        if (list.length === 0 || list[list.length - 1]!.offset < offset) list.push({ t: snapshot.t * 1000, offset });
        history.set(name, list);
      }
      if (stopPolling) return;
      const wait = 10 - (performance.now() - snapshot.t * 1000);
      if (wait > 0) await sleep(wait);
    }
  })();

  // Encoded before the clock starts: generating and encoding a record costs the bench more CPU than the
  // sink spends on it, and on a small machine that would be measured as the sink's latency. The pool is
  // sent round and round; the sink writes each copy as a row of its own (its offset differs).
  const pool: { readonly topic: string; readonly topicIndex: number; readonly key: Buffer; readonly value: Buffer }[] =
    [];
  for (let i = 0; i < Math.min(capacity, PRODUCE_POOL_SIZE); i++) {
    const factory = factories[i % factories.length]!;
    const record = factory.next(i);
    // Copies: the factory reuses its buffers on the next call.
    pool.push({
      topic: factory.topic,
      topicIndex: i % factories.length,
      key: Buffer.from(record.key),
      value: Buffer.from(record.value),
    });
  }

  let sent = 0;
  const started = performance.now();
  const cpuBefore = cpuReading(sinkPid, services, started / 1000);
  const endAt = started + seconds * 1000;
  while (performance.now() < endAt) {
    const due = Math.min(capacity, Math.floor((rate * (performance.now() - started)) / 1000));
    while (sent < due) {
      const record = pool[sent % pool.length]!;
      const partitions = byTopic[record.topicIndex]!;
      const target = partitions[Math.floor(sent / topics.length) % partitions.length]!;
      sentAt[sent] = performance.now();
      try {
        producer.produce(record.topic, target.partition, record.value, record.key);
      } catch {
        // Local queue full: the broker is behind; this record is simply not offered.
        break;
      }
      sentTo[sent] = target.key;
      sentOffset[sent] = target.next++;
      sent++;
    }
    await sleep(2);
  }
  const sendSeconds = (performance.now() - started) / 1000;
  const cpu = cpuShare(cpuBefore, cpuReading(sinkPid, services, performance.now() / 1000));
  await new Promise<void>((resolve, reject) =>
    producer.flush(30_000, (error) =>
      error ? reject(new Error(`latency: producer flush failed: ${error}`)) : resolve(),
    ),
  );
  await sleep(50);
  const landed = await withMetadataClient(config, (kafka) =>
    Promise.all(targets.map((t) => kafka.endOffset(t.topic, t.partition))),
  );
  for (const [i, t] of targets.entries()) {
    if (landed[i] !== t.next) {
      throw new Error(
        `latency: ${t.topic}/${t.partition} ends at ${landed[i]}, expected ${t.next} ` +
          `(${t.next - expected[i]!} records sent there); a record was lost, duplicated or written by someone else`,
      );
    }
  }
  const delivered = sent;

  // Wait until every record sent is committed (or give up after 60 s): each partition that got records
  // up to the end offset checked above.
  const needed = new Map<string, number>();
  for (const [i, t] of targets.entries()) if (t.next > expected[i]!) needed.set(keyNames[t.key]!, t.next);
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    const behind = [...needed].some(([name, offset]) => (history.get(name)?.at(-1)?.offset ?? 0) < offset);
    if (!behind) break;
    await sleep(20);
  }
  stopPolling = true;
  await poller;
  const pollMs = (performance.now() - pollStarted) / Math.max(1, polls);
  await watch.close();
  await new Promise<void>((resolve) => producer.disconnect(() => resolve()));

  const latencies: number[] = [];
  const perSecond: number[][] = [];
  let uncommitted = 0;
  for (let i = 0; i < sent; i++) {
    const committed = commitTime(history.get(keyNames[sentTo[i]!]!) ?? [], sentOffset[i]!);
    if (committed === undefined) {
      uncommitted++;
      continue;
    }
    const latency = committed - sentAt[i]!;
    latencies.push(latency);
    const second = Math.floor((sentAt[i]! - started) / 1000);
    const list = perSecond[second] ?? [];
    perSecond[second] = list;
    list.push(latency);
  }
  const timeline = [...perSecond.entries()]
    .filter(([, list]) => list !== undefined)
    .map(([second, list]) => {
      const summary = summarizeLatencies(list);
      return { second, count: summary.count, p50: summary.p50, p99: summary.p99 };
    });
  return {
    ...summarizeLatencies(latencies),
    offeredRate: rate,
    achievedRate: delivered / sendSeconds,
    seconds: sendSeconds,
    delivered,
    uncommitted,
    meanPollMs: pollMs,
    timeline,
    cpu,
  };
}
