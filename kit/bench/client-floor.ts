/**
 * `client` phase: what the Kafka client alone costs per record, so the sink's CPU per record can be read
 * as "client + the rest". The sink's own client (librdkafka through @confluentinc/kafka-javascript, with
 * the sink's consumer settings) and a pure-JavaScript client (@platformatic/kafka, same fetch bounds)
 * each consume the end-to-end records with a fresh group and keep nothing (client-floor-child.ts), in
 * alternating rounds; the faster round of each is kept.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { consumerConfig } from '../../src/kafka/consumer-config.ts';
import { kafkaSecurity } from '../../src/kafka/security-config.ts';
import type { BenchEnv } from './bench-env.ts';
import type { ClientFloorJob, ClientFloorSample, FloorClient } from './client-floor-child.ts';

const CHILD = fileURLToPath(new URL('./client-floor-child.ts', import.meta.url));
const CLIENTS: readonly FloorClient[] = ['librdkafka', 'platformatic', 'sink-fetcher'];

export interface ClientFloorResult {
  readonly client: FloorClient;
  readonly label: string;
  readonly records: number;
  readonly seconds: number;
  readonly rate: number;
  readonly cpuMicrosPerRecord: number;
  readonly mainThreadMicrosPerRecord: number;
  /** Every round's rate, in the order they ran. */
  readonly rounds: readonly number[];
}

const LABELS: Record<FloorClient, string> = {
  librdkafka:
    "librdkafka via @confluentinc/kafka-javascript (the sink's group member; its record path until the fetcher), the sink's consumer settings",
  platformatic: '@platformatic/kafka (pure JavaScript), the same fetch bounds',
  'sink-fetcher':
    "the sink's record fetcher (its own record-batch reader, at offsets the sink keeps), the sink's settings",
};

function runChild(job: ClientFloorJob, timeoutMs: number): Promise<ClientFloorSample> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code === 0 && line !== undefined) resolve(JSON.parse(line) as ClientFloorSample);
      else reject(new Error(`client floor (${job.client}) exited with ${code}: ${err.slice(-500) || out.slice(-500)}`));
    });
  });
}

export async function measureClientFloor(
  env: BenchEnv,
  topics: readonly string[],
  total: number,
  rounds = 2,
): Promise<ClientFloorResult[]> {
  const config = env.config([...topics]);
  const librdkafkaConfig = consumerConfig({
    topic: topics[0]!,
    group: 'unused',
    bootstrapServers: config.kafka.bootstrapServers.join(','),
    security: kafkaSecurity(config),
    clientId: `${config.kafka.clientId}-floor`,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    fetchMaxBytes: config.kafka.fetchMaxBytes,
    maxPollRecords: config.backpressure.maxPollRecords,
    pollIntervalMs: config.backpressure.pollIntervalMs,
    offsetHintIntervalMs: 0,
    extra: config.kafka.consumerProperties,
  });
  const samples = new Map<FloorClient, ClientFloorSample[]>();
  for (let round = 0; round < rounds; round++) {
    for (const client of CLIENTS) {
      const sample = await runChild(
        {
          client,
          bootstrapServers: config.kafka.bootstrapServers.join(','),
          topics,
          total,
          group: `kms-bench-${env.runId}-floor-${client}-${round}`,
          librdkafkaConfig,
          maxPollRecords: config.backpressure.maxPollRecords,
          pollIntervalMs: config.backpressure.pollIntervalMs,
          // The pure-JS client gets the sink's own fetch bounds (tuned defaults and any kafka.consumer.*).
          maxBytes: Number(librdkafkaConfig['fetch.max.bytes']),
          maxBytesPerPartition: Number(librdkafkaConfig['max.partition.fetch.bytes']),
        },
        120_000,
      );
      samples.set(client, [...(samples.get(client) ?? []), sample]);
      env.log(
        `  ${client}: ${Math.round(sample.records / sample.seconds).toLocaleString('en-US')} rec/s, ` +
          `${(sample.cpuMicros / sample.records).toFixed(2)} µs CPU per record (main thread ${(sample.mainThreadMicros / sample.records).toFixed(2)})`,
      );
    }
  }
  return CLIENTS.map((client) => {
    const runs = samples.get(client) ?? [];
    const best = runs.reduce((a, b) => (b.records / b.seconds > a.records / a.seconds ? b : a));
    return {
      client,
      label: LABELS[client],
      records: best.records,
      seconds: best.seconds,
      rate: best.records / best.seconds,
      cpuMicrosPerRecord: best.cpuMicros / best.records,
      mainThreadMicrosPerRecord: best.mainThreadMicros / best.records,
      rounds: runs.map((r) => r.records / r.seconds),
    };
  });
}
