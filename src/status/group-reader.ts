/**
 * What the whole group looks like from outside any one pipeline: every partition of the configured
 * topics with Kafka's watermarks, the stored offset in `kafka_offsets`, dead letters, and the live
 * instances' heartbeat rows. Its own small pool and Kafka handle, so a slow page never takes a writer's
 * connection. A failing side (database or Kafka) is reported, the other side is still read.
 */
import { groupIdFor, type SinkConfig } from '../config/index.ts';
import { describeError } from '../core/errors.ts';
import { MetadataClient } from '../kafka/metadata-client.ts';
import type { CompiledQuery } from '../mysql/compiled-query.ts';
import { createSidePool, type Pool, type ResultRow, selectRows } from '../mysql/pool.ts';
import { isNoSuchTable } from '../mysql/errno.ts';
import { countDeadLetters, selectStoredOffsets } from '../mysql/progress-sql.ts';
import { selectLiveInstances } from '../mysql/instance-sql.ts';

export interface PartitionReading {
  readonly topic: string;
  readonly partition: number;
  readonly group: string;
  /** Earliest available offset and high watermark; null when Kafka did not answer. */
  readonly low: number | null;
  readonly end: number | null;
  /** `kafka_offsets.offset`; null without a row or when the database did not answer. */
  readonly committed: number | null;
  readonly deadLetters: number | null;
}

export interface InstanceReading {
  readonly id: string;
  readonly statusUrl: string;
  readonly version: string;
  readonly startedAt: string;
  readonly ageSeconds: number;
  readonly partitions: readonly { topic: string; partition: number; state: string; reason?: string }[];
}

export interface GroupReading {
  readonly at: number;
  readonly partitions: PartitionReading[];
  readonly instances: InstanceReading[];
  /** One line per side that failed: "database: …", "kafka: …". */
  readonly problems: string[];
  readonly databaseOk: boolean;
  readonly kafkaOk: boolean;
}

/** A heartbeat older than this is an instance that is gone (crashed, or cut off from the database). */
export const INSTANCE_STALE_SECONDS = 20;

export class GroupReader {
  readonly config: SinkConfig;
  readonly pool: Pool;
  #kafka: Promise<MetadataClient> | undefined;

  constructor(config: SinkConfig) {
    this.config = config;
    this.pool = createSidePool(config, 2);
  }

  kafka(): Promise<MetadataClient> {
    this.#kafka ??= MetadataClient.open(this.config, { timeoutMs: 4_000 });
    const pending = this.#kafka;
    pending.catch(() => {
      if (this.#kafka === pending) this.#kafka = undefined;
    });
    return pending;
  }

  async read(): Promise<GroupReading> {
    const problems: string[] = [];
    const topics = this.config.kafka.topics;
    const kafkaSide = this.#readKafka(topics).catch((error: unknown) => {
      problems.push(`kafka: ${describeError(error)}`);
      return undefined;
    });
    const dbSide = this.#readDatabase(topics).catch((error: unknown) => {
      problems.push(`database: ${describeError(error)}`);
      return undefined;
    });
    const [kafka, db] = await Promise.all([kafkaSide, dbSide]);
    const partitions: PartitionReading[] = [];
    for (const topic of topics) {
      const group = groupIdFor(this.config, topic);
      const known = new Set<number>([...(kafka?.get(topic)?.keys() ?? []), ...(db?.stored.get(topic)?.keys() ?? [])]);
      for (const partition of [...known].sort((a, b) => a - b)) {
        const marks = kafka?.get(topic)?.get(partition);
        partitions.push({
          topic,
          partition,
          group,
          low: marks?.low ?? null,
          end: marks?.high ?? null,
          committed: db?.stored.get(topic)?.get(partition) ?? null,
          deadLetters: db === undefined ? null : (db.dead.get(topic)?.get(partition) ?? 0),
        });
      }
    }
    return {
      at: Date.now(),
      partitions,
      instances: db?.instances ?? [],
      problems,
      databaseOk: db !== undefined,
      kafkaOk: kafka !== undefined,
    };
  }

  async close(): Promise<void> {
    const kafka = this.#kafka;
    this.#kafka = undefined;
    await kafka?.then((k) => k.close()).catch(() => {});
    await this.pool.end().catch(() => {});
  }

  async #readKafka(topics: readonly string[]): Promise<Map<string, Map<number, { low: number; high: number }>>> {
    const client = await this.kafka();
    const cluster = await client.cluster();
    const out = new Map<string, Map<number, { low: number; high: number }>>();
    for (const topic of topics) {
      const ids = cluster.topics.get(topic)?.partitions ?? [];
      const marks = await Promise.all(ids.map((p) => client.watermarks(topic, p)));
      out.set(topic, new Map(ids.map((p, i) => [p, marks[i]!])));
    }
    return out;
  }

  async #readDatabase(topics: readonly string[]): Promise<{
    stored: Map<string, Map<number, number>>;
    dead: Map<string, Map<number, number>>;
    instances: InstanceReading[];
  }> {
    const { offsetsTable, deadLetterTable } = this.config.sink;
    const stored = new Map<string, Map<number, number>>();
    const dead = new Map<string, Map<number, number>>();
    for (const topic of topics) {
      const group = groupIdFor(this.config, topic);
      stored.set(topic, await this.#counts(selectStoredOffsets(offsetsTable, topic, group)));
      dead.set(topic, await this.#counts(countDeadLetters(deadLetterTable, topic, group)));
    }
    const instances = (await this.#rows(selectLiveInstances(INSTANCE_STALE_SECONDS))).map(
      (row): InstanceReading => ({
        id: String(row.id),
        statusUrl: String(row.statusUrl),
        version: String(row.version),
        startedAt: String(row.startedAt),
        ageSeconds: Number(row.ageSeconds),
        partitions: parsePartitions(String(row.partitions)),
      }),
    );
    return { stored, dead, instances };
  }

  async #counts(query: CompiledQuery): Promise<Map<number, number>> {
    return new Map((await this.#rows(query)).map((row) => [Number(row.p), Number(row.n)]));
  }

  /** A bookkeeping table that does not exist yet (nothing provisioned) reads as empty. */
  async #rows(query: CompiledQuery): Promise<ResultRow[]> {
    try {
      return await selectRows(this.pool, query);
    } catch (error) {
      if (isNoSuchTable(error)) return [];
      throw error;
    }
  }
}

function parsePartitions(text: string): InstanceReading['partitions'] {
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? (parsed as InstanceReading['partitions']) : [];
  } catch {
    return [];
  }
}
