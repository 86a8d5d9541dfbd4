/**
 * Writes this instance's row in `kafka_sink_instances` every few seconds: which partitions it owns and
 * their states. That is how every instance's status page knows the owner and state of partitions it
 * does not own. Best effort: a database that does not answer only makes the row go stale.
 */
import type { Logger } from '../core/log.ts';
import { describeError } from '../core/errors.ts';
import { createInstancesTable, deleteInstance, deleteStaleInstances, upsertInstance } from '../mysql/instance-sql.ts';
import { execute, type Pool } from '../mysql/pool.ts';
import type { InstanceInfo } from './instance-info.ts';

export const HEARTBEAT_INTERVAL_MS = 5_000;

export interface OwnedPartition {
  readonly topic: string;
  readonly partition: number;
  readonly state: string;
  readonly reason?: string;
}

export class Heartbeat {
  readonly #pool: Pool;
  readonly #info: InstanceInfo;
  readonly #owned: () => OwnedPartition[];
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #tableReady = false;
  #failing = false;
  #beats = 0;

  constructor(pool: Pool, info: InstanceInfo, owned: () => OwnedPartition[], log: Logger) {
    this.#pool = pool;
    this.#info = info;
    this.#owned = owned;
    this.#log = log;
  }

  start(): void {
    const tick = (): void => {
      void this.beat().finally(() => {
        if (this.#timer !== undefined) this.#timer = setTimeout(tick, HEARTBEAT_INTERVAL_MS).unref();
      });
    };
    this.#timer = setTimeout(tick, 0).unref();
  }

  async beat(): Promise<void> {
    try {
      if (!this.#tableReady) {
        await execute(this.#pool, createInstancesTable());
        this.#tableReady = true;
      }
      const partitions = this.#owned().map((p) => ({
        topic: p.topic,
        partition: p.partition,
        state: p.state,
        ...(p.reason === undefined ? {} : { reason: p.reason.slice(0, 500) }),
      }));
      await execute(
        this.#pool,
        upsertInstance({
          id: this.#info.id,
          statusUrl: this.#info.statusUrl,
          version: this.#info.version,
          startedAt: this.#info.startedAt,
          partitions: JSON.stringify(partitions),
        }),
      );
      if (this.#beats++ % 720 === 0) await execute(this.#pool, deleteStaleInstances());
      if (this.#failing) this.#log.info('instance heartbeat written again');
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) this.#log.warn({ err: describeError(error) }, 'instance heartbeat not written; retrying');
      this.#failing = true;
    }
  }

  /** Graceful stop: other pages stop showing this instance at once instead of after it goes stale. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await execute(this.#pool, deleteInstance(this.#info.id)).catch(() => {});
  }
}
