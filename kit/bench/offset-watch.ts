/**
 * Reads `kafka_offsets` of the bench database on its own connection: the sink's committed progress, as
 * the only thing that counts for exactly-once (a record is committed when the stored offset is beyond it).
 */
import { selectOffsetsOfTopics } from '../../src/mysql/offset-sql.ts';
import { type Connection, selectRows } from '../../src/mysql/pool.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchEnv } from './bench-env.ts';

export interface OffsetSnapshot {
  /** Seconds since the watch's `origin`. */
  readonly t: number;
  /** `topic/partition` → stored offset. */
  readonly offsets: ReadonlyMap<string, number>;
  readonly sum: number;
}

/** Reads progress as `key` → next offset to commit (the count of records before it in the partition). */
export type ProgressReader = (connection: Connection) => Promise<Map<string, number>>;

export class OffsetWatch {
  readonly #connection: Connection;
  readonly #reader: ProgressReader;
  #origin: number;

  /** `reader` defaults to the sink's `kafka_offsets` rows of `topics`; the peer reads its tables instead. */
  constructor(connection: Connection, reader: ProgressReader) {
    this.#connection = connection;
    this.#reader = reader;
    this.#origin = performance.now();
  }

  static async open(env: BenchEnv, topics: readonly string[]): Promise<OffsetWatch> {
    return new OffsetWatch(await env.connection(), (connection) => storedOffsets(connection, topics));
  }

  /** Times of later snapshots count from `origin` (a performance.now() value). */
  setOrigin(origin: number): void {
    this.#origin = origin;
  }

  async read(): Promise<OffsetSnapshot> {
    const offsets = await this.#reader(this.#connection);
    const t = (performance.now() - this.#origin) / 1000;
    let sum = 0;
    for (const offset of offsets.values()) sum += offset;
    return { t, offsets, sum };
  }

  /**
   * Reads every `intervalMs` (measured from the start of one read to the next) until `done` says so or
   * `timeoutMs` passes; every snapshot goes to `onSnapshot`. Returns the last snapshot.
   */
  async poll(options: {
    intervalMs: number;
    timeoutMs: number;
    done: (snapshot: OffsetSnapshot) => boolean;
    onSnapshot?: (snapshot: OffsetSnapshot) => void;
    /** Stop early, e.g. when the sink process died. */
    abort?: () => string | undefined;
  }): Promise<OffsetSnapshot> {
    const deadline = performance.now() + options.timeoutMs;
    for (;;) {
      const started = performance.now();
      const snapshot = await this.read();
      options.onSnapshot?.(snapshot);
      if (options.done(snapshot)) return snapshot;
      const reason = options.abort?.();
      if (reason !== undefined) throw new Error(reason);
      if (performance.now() > deadline)
        throw new Error(`timed out after ${Math.round(options.timeoutMs / 1000)} s (committed ${snapshot.sum})`);
      const wait = options.intervalMs - (performance.now() - started);
      if (wait > 0) await sleep(wait);
    }
  }

  async close(): Promise<void> {
    await this.#connection.end().catch(() => {});
  }
}

async function storedOffsets(connection: Connection, topics: readonly string[]): Promise<Map<string, number>> {
  const rows = await selectRows(connection, selectOffsetsOfTopics(topics));
  return new Map(rows.map((row) => [`${String(row.topic)}/${Number(row.partition)}`, Number(row.offset)]));
}
