/**
 * The benchmark's private world: one database `kms_bench_<run>` and topic sets `bench_<run>_[<set>_]dataset1..3`
 * (3 partitions, the seed schemas), created through the product's own provision and dropped at the end,
 * so a run never touches anybody else's tables, topics or consumer groups.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type SinkConfig } from '../../src/config/index.ts';
import { describeError } from '../../src/core/errors.ts';
import { withMetadataClient } from '../../src/kafka/metadata-client.ts';
import { dropDatabase } from '../../src/mysql/ddl.ts';
import { selectServerVersion } from '../../src/mysql/catalog-sql.ts';
import { type Connection, connect, execute, selectRows, sinkLogin } from '../../src/mysql/pool.ts';
import { defaultSchemaFile } from '../tools/schema-file.ts';
import { provision } from '../tools/provision.ts';
import { produce, type ProduceResult } from '../tools/produce.ts';
import { TopicAdmin } from '../tools/kafka-topics.ts';
import { findServices, type ServiceProcesses } from './proc.ts';

/** The seed's datasets: every topic set has one topic per dataset, named `<prefix>dataset<n>`. */
export const DATASETS = ['dataset1', 'dataset2', 'dataset3'] as const;
export const PARTITIONS = 3;

export interface BenchEnvOptions {
  /** Properties file the sink under test reads too (same as `--config` of every command). */
  readonly file?: string;
  /** `--set` overrides given to the bench: applied to the sink under test and the database writers. */
  readonly sets: readonly string[];
  /** Extra node/V8 flags for the sink processes. */
  readonly nodeFlags?: readonly string[];
  /** Where logs, profiles and raw results of this run go. */
  readonly outDir: string;
  readonly log: (line: string) => void;
}

export class BenchEnv {
  readonly runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  readonly database = `kms_bench_${this.runId}`;
  readonly options: BenchEnvOptions;
  readonly outDir: string;
  readonly schemaFile: string;
  readonly #topicSets = new Map<string, string[]>();
  #databaseCreated = false;

  constructor(options: BenchEnvOptions) {
    this.options = options;
    this.outDir = join(options.outDir, this.runId);
    mkdirSync(this.outDir, { recursive: true });
    this.schemaFile = join(this.outDir, 'schemas.json');
  }

  get nodeFlags(): readonly string[] {
    return this.options.nodeFlags ?? [];
  }

  log(line: string): void {
    this.options.log(line);
  }

  /** Topics of a set: '' → bench_<run>_dataset1..3, 's1' → bench_<run>_s1_dataset1..3. */
  topicsOf(set: string): string[] {
    const prefix = `bench_${this.runId}_${set === '' ? '' : `${set}_`}`;
    return DATASETS.map((dataset) => `${prefix}${dataset}`);
  }

  /** `--set` flags (user's first, the bench's last so they win) for a sink or tool on `topics`. */
  sets(topics: readonly string[], extra: Readonly<Record<string, string | number>> = {}): string[] {
    const base = loadConfig(this.#loadOptions([]));
    const own: Record<string, string | number> = {
      'kafka.topics': topics.join(','),
      'mysql.url': `jdbc:mysql://${base.mysql.host}:${base.mysql.port}/${this.database}`,
      'status.port': 0,
      ...extra,
    };
    return [...this.options.sets, ...Object.entries(own).map(([key, value]) => `${key}=${value}`)];
  }

  config(topics: readonly string[], extra: Readonly<Record<string, string | number>> = {}): SinkConfig {
    return loadConfig(this.#loadOptions(this.sets(topics, extra)));
  }

  /** Command-line arguments of `kms run` for a sink on `topics`. */
  runArgs(topics: readonly string[], extra: Readonly<Record<string, string | number>> = {}): string[] {
    const args = this.options.file === undefined ? [] : ['--config', this.options.file];
    for (const set of this.sets(topics, extra)) args.push('--set', set);
    return args;
  }

  /** Creates the topics of a set (3 partitions), registers the seed schemas and creates the tables. */
  async createTopicSet(set: string): Promise<string[]> {
    const topics = this.topicsOf(set);
    this.#topicSets.set(set, topics);
    this.#writeSchemaFile();
    const config = this.config(topics);
    await provision(config, { schemas: this.schemaFile, partitions: PARTITIONS, replication: 1 });
    this.#databaseCreated = true;
    return topics;
  }

  /** `records` in total, split evenly over the set's topics (random keys spread them over partitions). */
  async produce(topics: readonly string[], records: number, rate?: number): Promise<ProduceResult> {
    const perTopic = Math.ceil(records / topics.length);
    return produce(this.config(topics), {
      records: perTopic,
      schemas: this.schemaFile,
      concurrency: topics.length,
      ...(rate === undefined ? {} : { rate }),
    });
  }

  /** Sum of the end offsets of the topics' partitions. */
  async endOffsets(topics: readonly string[]): Promise<number> {
    let sum = 0;
    for (const perTopic of (await this.endOffsetsPerTopic(topics)).values()) sum += perTopic;
    return sum;
  }

  /** End offsets summed per topic (a topic's record count on fresh topics). */
  async endOffsetsPerTopic(topics: readonly string[]): Promise<Map<string, number>> {
    return withMetadataClient(this.config(topics), async (kafka) => {
      const sums = new Map<string, number>();
      for (const topic of topics) {
        let sum = 0;
        for (let p = 0; p < PARTITIONS; p++) sum += await kafka.endOffset(topic, p);
        sums.set(topic, sum);
      }
      return sums;
    });
  }

  /** The broker and the MariaDB serving this bench (matched by their ports), for CPU readings. */
  services(): ServiceProcesses {
    const config = this.config(this.topicsOf(''));
    return findServices(Number(config.kafka.bootstrapServers[0]?.split(':')[1] ?? 9092), config.mysql.port);
  }

  /** A plain connection to the bench database as the sink's user. */
  async connection(): Promise<Connection> {
    return connect(sinkLogin(this.config(this.topicsOf('')), this.database));
  }

  /** The database server's version text, or why it could not be read. */
  async serverVersion(): Promise<string> {
    try {
      const connection = await connect(sinkLogin(this.config(this.topicsOf('')), null));
      try {
        return String((await selectRows(connection, selectServerVersion()))[0]?.version ?? 'unknown');
      } finally {
        await connection.end();
      }
    } catch (error) {
      return `unknown (${describeError(error)})`;
    }
  }

  /** Drops the database, deletes the topics and their registry subjects. Best effort, never throws. */
  async cleanup(): Promise<void> {
    const topics = [...this.#topicSets.values()].flat();
    const config = this.config(topics.length > 0 ? topics : this.topicsOf(''));
    if (this.#databaseCreated) {
      try {
        const connection = await connect(sinkLogin(config, null));
        await execute(connection, dropDatabase(this.database));
        await connection.end();
      } catch (error) {
        this.log(`cleanup: could not drop database ${this.database}: ${describeError(error)}`);
      }
    }
    if (topics.length > 0) {
      try {
        await withMetadataClient(config, async (kafka) => {
          const admin = new TopicAdmin(config, kafka);
          try {
            for (const topic of topics) await admin.delete(topic);
          } finally {
            admin.close();
          }
        });
      } catch (error) {
        this.log(`cleanup: could not delete topics ${topics.join(', ')}: ${describeError(error)}`);
      }
      for (const topic of topics) {
        for (const subject of [`${topic}-value`, `${topic}-key`]) {
          const url = `${config.kafka.schemaRegistryUrl}/subjects/${encodeURIComponent(subject)}`;
          // Soft delete first: the Confluent API refuses a permanent delete of a live subject.
          await fetch(url, { method: 'DELETE', signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
          await fetch(`${url}?permanent=true`, { method: 'DELETE', signal: AbortSignal.timeout(5_000) }).catch(
            () => undefined,
          );
        }
      }
    }
  }

  /** The seed schema file with every bench topic mapped to its dataset's schema. */
  #writeSchemaFile(): void {
    const seed = JSON.parse(readFileSync(defaultSchemaFile(), 'utf8')) as { topics: Record<string, object> };
    const topics: Record<string, object> = {};
    for (const list of this.#topicSets.values()) {
      list.forEach((topic, i) => {
        topics[topic] = seed.topics[DATASETS[i]!]!;
      });
    }
    writeFileSync(
      this.schemaFile,
      JSON.stringify({ description: 'seed schemas under bench topic names', topics }, null, 2),
    );
  }

  #loadOptions(overrides: readonly string[]): { file?: string; overrides: readonly string[] } {
    return this.options.file === undefined ? { overrides } : { file: this.options.file, overrides };
  }
}

/** Settings that shape performance, by config key. */
export function tuningOf(config: SinkConfig): Record<string, string> {
  return {
    'sink.batch.max.records': String(config.sink.batchMaxRecords),
    'sink.batch.linger.ms': String(config.sink.batchLingerMs),
    'mysql.maxPoolSize': String(config.mysql.poolSize),
    'max.poll.records': String(config.backpressure.maxPollRecords),
    'poll.interval.ms': String(config.backpressure.pollIntervalMs),
    'blocking.queue.size': String(config.backpressure.queueSize),
    'sink.queue.low.watermark': String(config.backpressure.lowWatermark),
    'kafka.fetch.max.bytes': String(config.kafka.fetchMaxBytes),
    'sink.insert.mode': config.sink.insertMode,
    'sink.provenance.columns': String(config.sink.provenanceColumns),
    'sink.string.type': config.sink.stringType,
    ...Object.fromEntries(
      Object.entries(config.kafka.consumerProperties).map(([key, value]) => [`kafka.consumer.${key}`, value]),
    ),
  };
}

/** `key=value` of every performance setting that differs from the built-in default. */
export function tuningDifferences(config: SinkConfig): string[] {
  const defaults = tuningOf(loadConfig({ env: {} }));
  return Object.entries(tuningOf(config))
    .filter(([key, value]) => defaults[key] !== value)
    .map(([key, value]) => `${key}=${value}`);
}
