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

export class OffsetWatch {
  readonly #connection: Connection;
  readonly #topics: readonly string[];
  #origin: number;

  private constructor(connection: Connection, topics: readonly string[]) {
    this.#connection = connection;
    this.#topics = topics;
    this.#origin = performance.now();
  }

  static async open(env: BenchEnv, topics: readonly string[]): Promise<OffsetWatch> {
    return new OffsetWatch(await env.connection(), topics);
  }

  /** Times of later snapshots count from `origin` (a performance.now() value). */
  setOrigin(origin: number): void {
    this.#origin = origin;
  }

  async read(): Promise<OffsetSnapshot> {
    const rows = await selectRows(this.#connection, selectOffsetsOfTopics(this.#topics));
    const t = (performance.now() - this.#origin) / 1000;
    const offsets = new Map<string, number>();
    let sum = 0;
    for (const row of rows) {
      const offset = Number(row.offset);
      offsets.set(`${String(row.topic)}/${Number(row.partition)}`, offset);
      sum += offset;
    }
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
