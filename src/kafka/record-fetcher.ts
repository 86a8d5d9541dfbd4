/**
 * The data path of one topic's consumer: fetches the partitions this member owns, at offsets the sink
 * chooses, reading the record batches straight from the fetch answers (fetch-response.ts,
 * fetched-records.ts). The group member (librdkafka, topic-consumer.ts) decides which partitions are
 * ours; this decides what is read from them. Leaders, versions and connections: fetch-cluster.ts.
 *
 * Why two clients: librdkafka's binding builds a C++ message object and two Buffers per record, 4-5 µs
 * of main-thread CPU per record (`./kms bench --only client`); this path costs well under 1 µs. Group
 * membership, cooperative rebalancing and static membership stay with librdkafka, where they are proven.
 */
import { protocolErrorsCodesById } from '@platformatic/kafka';
import { describeError } from '../core/errors.ts';
import type { KafkaRecord } from '../core/records.ts';
import { FetchCluster, type Leaders } from './fetch-cluster.ts';
import type { FetchOptions } from './fetch-options.ts';
import type { FetchAnswer, FetchRequest } from './fetch-response.ts';
import { type FetchPosition, takeRecords } from './fetched-records.ts';

const OFFSET_OUT_OF_RANGE = 1;
const RETRY_INITIAL_MS = 100;
const RETRY_MAX_MS = 1_000;

interface PartitionState extends FetchPosition {
  paused: boolean;
  /** Fetched and not yet passed on: the partition was paused part way through an answer. */
  held: KafkaRecord[] | undefined;
  heldFrom: number;
  /** Bumped by a seek or a removal: an answer to a fetch sent before it is stale and dropped. */
  generation: number;
}

interface Requested {
  readonly offset: number;
  readonly generation: number;
}

export interface RecordFetcherHandlers {
  /** Records of one partition, in offset order, none before the partition's position. */
  onRecords(partition: number, records: KafkaRecord[]): void;
  /** A fetch failed (broker away, leader moved); it is retried with backoff. */
  onFetchError(message: string): void;
  /** A partition's position was outside the log; it continues at the earliest offset. */
  onOffsetReset(partition: number, from: number, to: number): void;
}

export class RecordFetcher {
  readonly #topic: string;
  readonly #options: FetchOptions;
  readonly #handlers: RecordFetcherHandlers;
  /** Most records passed on at once (max.poll.records): a pause takes effect within this many. */
  readonly #maxPerDelivery: number;
  readonly #cluster: FetchCluster;
  readonly #partitions = new Map<number, PartitionState>();
  /** One fetch in flight per broker, keyed by node id. */
  readonly #inflight = new Map<number, Promise<void>>();
  #leaders: Leaders | undefined;
  #refreshing: Promise<void> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #failures = 0;
  #running = false;

  constructor(
    topic: string,
    group: string,
    options: FetchOptions,
    maxPerDelivery: number,
    handlers: RecordFetcherHandlers,
  ) {
    this.#topic = topic;
    this.#options = options;
    this.#maxPerDelivery = maxPerDelivery;
    this.#handlers = handlers;
    this.#cluster = new FetchCluster(topic, group, options);
  }

  /** Fetches `partition` from `offset` on. */
  add(partition: number, offset: number): void {
    const previous = this.#partitions.get(partition);
    this.#partitions.set(partition, {
      next: offset,
      aborting: new Set(),
      paused: false,
      held: undefined,
      heldFrom: 0,
      generation: (previous?.generation ?? 0) + 1,
    });
    this.#kick();
  }

  remove(partition: number): void {
    this.#partitions.delete(partition);
  }

  pause(partition: number): void {
    const state = this.#partitions.get(partition);
    if (state !== undefined) state.paused = true;
  }

  /**
   * Asynchronous, like a client's resume: the held records follow on the next turn of the event loop,
   * so whoever resumed (the pipeline, logging that it did) has finished before they arrive.
   */
  resume(partition: number): void {
    const state = this.#partitions.get(partition);
    if (state === undefined || !state.paused) return;
    state.paused = false;
    setImmediate(() => {
      if (this.#partitions.get(partition) === state) this.#passOn(partition, state);
      this.#kick();
    });
  }

  /** The next fetch of `partition` starts at `offset`; an answer already on its way is dropped. */
  seek(partition: number, offset: number): void {
    const state = this.#partitions.get(partition);
    if (state === undefined) return;
    state.next = offset;
    state.aborting.clear();
    state.held = undefined;
    state.generation++;
    this.#kick();
  }

  start(): void {
    this.#running = true;
    this.#kick();
  }

  /** Stops fetching; resolves once no answer is pending. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    await Promise.all([...this.#inflight.values(), this.#refreshing]);
  }

  async close(): Promise<void> {
    await this.stop();
    await this.#cluster.close();
  }

  #kick(): void {
    if (!this.#running || this.#retryTimer !== undefined || this.#refreshing !== undefined) return;
    if (this.#leaders === undefined) {
      this.#refreshLeaders();
      return;
    }
    const byNode = new Map<number, number[]>();
    for (const [partition, state] of this.#partitions) {
      if (state.paused || state.held !== undefined) continue;
      const node = this.#leaders.leaders[partition];
      if (node === undefined || node < 0 || this.#inflight.has(node)) continue;
      const list = byNode.get(node);
      if (list === undefined) byNode.set(node, [partition]);
      else list.push(partition);
    }
    for (const [node, partitions] of byNode) this.#fetchFrom(node, this.#leaders, partitions);
  }

  #refreshLeaders(): void {
    this.#refreshing = this.#cluster
      .leaders()
      .then((leaders) => {
        this.#leaders = leaders;
        this.#failures = 0;
      })
      .catch((error: unknown) => this.#failed(`metadata of ${this.#topic}: ${describeError(error)}`))
      .finally(() => {
        this.#refreshing = undefined;
        this.#kick();
      });
  }

  #fetchFrom(node: number, leaders: Leaders, partitions: number[]): void {
    const requested = new Map<number, Requested>();
    for (const partition of partitions) {
      const state = this.#partitions.get(partition)!;
      requested.set(partition, { offset: state.next, generation: state.generation });
    }
    const broker = leaders.brokers.get(node);
    if (broker === undefined) {
      this.#failed(`fetch from broker ${node}: the broker is not in the cluster metadata`);
      return;
    }
    const request: FetchRequest = {
      maxBytes: this.#options.maxBytes,
      minBytes: this.#options.minBytes,
      maxWaitTime: this.#options.maxWaitTime,
      isolationLevel: this.#options.isolationLevel,
      topics: [
        {
          topicId: leaders.topicId,
          partitions: partitions.map((partition) => ({
            partition,
            fetchOffset: BigInt(requested.get(partition)!.offset),
            partitionMaxBytes: this.#options.maxBytesPerPartition,
            currentLeaderEpoch: -1,
            lastFetchedEpoch: -1,
          })),
        },
      ],
    };
    const done = new Promise<void>((resolve) => {
      const finish = (problem: string | undefined): void => {
        this.#inflight.delete(node);
        if (problem !== undefined) this.#failed(`fetch from broker ${node}: ${problem}`);
        else this.#failures = 0;
        resolve();
        if (this.#running) setImmediate(() => this.#kick());
      };
      this.#cluster.fetch(broker, request, (error, answer) => {
        if (error || answer === undefined) return finish(describeError(error));
        // The partitions without an error are delivered even when another one failed.
        finish(this.#deliver(answer, requested));
      });
    });
    this.#inflight.set(node, done);
  }

  /** Passes the answer's records on; returns what failed, if anything did (the fetch is then retried). */
  #deliver(answer: FetchAnswer, requested: Map<number, Requested>): string | undefined {
    // Stopped: leave the positions where they are, nothing is passed on any more.
    if (!this.#running) return undefined;
    if (answer.errorCode !== 0) return errorName(answer.errorCode);
    const problems: string[] = [];
    for (const topic of answer.topics) {
      for (const fetched of topic.partitions) {
        const partition = fetched.partition;
        const asked = requested.get(partition);
        const state = this.#partitions.get(partition);
        // Not asked for, revoked since, or seeked since.
        if (asked === undefined || state === undefined || state.generation !== asked.generation) continue;
        if (fetched.errorCode === OFFSET_OUT_OF_RANGE) {
          this.#resetToEarliest(partition, asked.offset);
          continue;
        }
        if (fetched.errorCode !== 0) {
          problems.push(`partition ${partition}: ${errorName(fetched.errorCode)}`);
          continue;
        }
        if (fetched.records.length === 0) continue;
        const records: KafkaRecord[] = [];
        try {
          takeRecords(
            this.#topic,
            partition,
            asked.offset,
            fetched.records,
            fetched.abortedTransactions,
            state,
            records,
          );
        } catch (error) {
          // Nothing of this answer is passed on; takeRecords left the position as it was, so the
          // partition is fetched again from the same offset.
          problems.push(`partition ${partition}: ${describeError(error)}`);
          continue;
        }
        if (records.length === 0) continue;
        state.held = records;
        state.heldFrom = 0;
        this.#passOn(partition, state);
      }
    }
    return problems.length === 0 ? undefined : problems.join('; ');
  }

  /**
   * Passes the held records on, at most max.poll.records at a time, until the partition is paused (the
   * pipeline pauses it from inside onRecords when its queue is full), sought or removed.
   */
  #passOn(partition: number, state: PartitionState): void {
    const generation = state.generation;
    while (state.held !== undefined && !state.paused && state.generation === generation && this.#running) {
      const held = state.held;
      const from = state.heldFrom;
      const to = Math.min(held.length, from + this.#maxPerDelivery);
      if (to === held.length) state.held = undefined;
      else state.heldFrom = to;
      this.#handlers.onRecords(partition, from === 0 && to === held.length ? held : held.slice(from, to));
    }
  }

  /** As librdkafka's auto.offset.reset=earliest: the records below the earliest were deleted by retention. */
  #resetToEarliest(partition: number, from: number): void {
    this.#cluster
      .earliest(partition)
      .then((earliest) => {
        const state = this.#partitions.get(partition);
        if (state === undefined || state.next !== from) return;
        this.#handlers.onOffsetReset(partition, from, earliest);
        this.seek(partition, earliest);
      })
      .catch((error: unknown) =>
        this.#failed(`earliest offset of ${this.#topic}/${partition}: ${describeError(error)}`),
      );
  }

  /** Backs off (100 ms doubling to 1 s) and asks for fresh leaders: a failed fetch often means one moved. */
  #failed(message: string): void {
    this.#handlers.onFetchError(message);
    this.#leaders = undefined;
    if (!this.#running || this.#retryTimer !== undefined) return;
    const delay = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** this.#failures++);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#kick();
    }, delay);
  }
}

function errorName(code: number): string {
  return `${protocolErrorsCodesById[code] ?? 'error'} (code ${code})`;
}
