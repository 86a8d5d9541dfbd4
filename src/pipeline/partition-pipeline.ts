import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../core/log.ts';
import { isSinkError, describeError } from '../core/errors.ts';
import type { BatchWriter } from '../sink/batch-writer.ts';
import { isRetriable } from '../mysql/errno.ts';
import type { KafkaRecord, PartitionRef, PreparedBatch } from '../core/records.ts';
import { PartitionQueue } from './partition-queue.ts';
import type { RecordPreparer } from './record-preparer.ts';
import { type RetryPolicy, withRetry } from '../core/retry.ts';
import type { SinkMetrics } from './sink-metrics.ts';
import { DeadLetterLog, type DeadLetterLogOptions } from './dead-letter-log.ts';
import type { DependencyEvents, PipelineState, WaitingFor } from './partition-state.ts';

/** What a pipeline may ask of the consumer that feeds it. */
export interface PartitionControl {
  pause(): void;
  resume(): void;
  seek(offset: number): Promise<void>;
  /** A batch committed: the partition's next offset is now `nextOffset`. */
  committed(nextOffset: number): void;
}

export interface PipelineOptions {
  readonly queueSize: number;
  readonly resumeAt: number;
  readonly batchMaxRecords: number;
  readonly lingerMs: number;
  readonly retry: RetryPolicy;
  readonly deadLetterLog: DeadLetterLogOptions;
}

/**
 * One partition: a bounded queue filled by the consumer, drained by a single writer loop that commits
 * one fenced transaction per batch. `expected` is what this pipeline believes kafka_offsets holds.
 */
export class PartitionPipeline {
  readonly ref: PartitionRef;
  readonly #queue: PartitionQueue;
  readonly #options: PipelineOptions;
  readonly #preparer: RecordPreparer;
  readonly #writer: BatchWriter;
  readonly #control: PartitionControl;
  readonly #log: Logger;
  readonly #metrics: SinkMetrics;
  readonly #deadLetterLog: DeadLetterLog;
  readonly #dependencies: DependencyEvents | undefined;
  /** Set while the batch in hand is being retried because a service does not answer. */
  #waitingFor: WaitingFor | undefined;
  #expected: number;
  /** Highest offset accepted into the queue: Kafka delivers a partition in order, so anything at or
   * below it is a re-delivery (after a seek or a resume) and is dropped. */
  #lastAccepted: number;
  #paused = false;
  #stopping = false;
  #drainOnStop = false;
  #failure: Error | undefined;
  #loop: Promise<void> | undefined;
  committedRecords = 0;
  committedBatches = 0;
  deadLetters = 0;

  constructor(
    ref: PartitionRef,
    startOffset: number,
    deps: {
      options: PipelineOptions;
      preparer: RecordPreparer;
      writer: BatchWriter;
      control: PartitionControl;
      log: Logger;
      metrics: SinkMetrics;
      dependencies?: DependencyEvents;
    },
  ) {
    this.ref = ref;
    this.#expected = startOffset;
    this.#lastAccepted = startOffset - 1;
    this.#options = deps.options;
    this.#queue = new PartitionQueue(deps.options.queueSize, deps.options.resumeAt);
    this.#preparer = deps.preparer;
    this.#writer = deps.writer;
    this.#control = deps.control;
    this.#log = deps.log.child({ topic: ref.topic, partition: ref.partition });
    this.#metrics = deps.metrics;
    this.#deadLetterLog = new DeadLetterLog(this.#log, deps.options.deadLetterLog);
    this.#dependencies = deps.dependencies;
  }

  get expectedOffset(): number {
    return this.#expected;
  }
  get queued(): number {
    return this.#queue.length;
  }
  get state(): PipelineState {
    if (this.#failure) return 'failed';
    if (this.#loop === undefined && this.#stopping) return 'stopped';
    if (this.#stopping) return 'stopping';
    if (this.#waitingFor !== undefined) return `waiting_for_${this.#waitingFor}`;
    return this.#paused ? 'backpressure' : 'running';
  }
  get failure(): Error | undefined {
    return this.#failure;
  }

  start(): void {
    this.#loop ??= this.#run().finally(() => {
      this.#loop = undefined;
    });
  }

  /** Called by the consumer's fetch loop with this partition's records, in offset order. */
  accept(records: KafkaRecord[]): void {
    if (this.#stopping || this.#failure) return;
    let fresh = records;
    if (records[0]!.offset <= this.#lastAccepted) fresh = records.filter((r) => r.offset > this.#lastAccepted);
    if (fresh.length === 0) return;
    this.#lastAccepted = fresh[fresh.length - 1]!.offset;
    this.#queue.push(fresh);
    this.#metrics.queued(this.ref, this.#queue.length);
    if (!this.#paused && this.#queue.isFull) {
      this.#paused = true;
      this.#control.pause();
      this.#metrics.backpressure(this.ref, true);
      this.#metrics.state(this.ref, this.state);
      this.#log.warn({ queued: this.#queue.length }, 'Backpressure activated and message processing stopped...');
    }
  }

  /**
   * Revoke / shutdown. `drain`: write what is queued first (graceful shutdown). Otherwise the batch in
   * flight finishes (or fails) and everything still queued is dropped: the next owner re-reads it.
   */
  async stop(options: { drain: boolean; timeoutMs?: number }): Promise<void> {
    this.#drainOnStop = options.drain;
    this.#stopping = true;
    this.#queue.interrupt();
    const loop = this.#loop;
    if (loop === undefined) return;
    if (options.timeoutMs === undefined) {
      await loop;
      return;
    }
    const deadline = new AbortController();
    await Promise.race([loop, sleep(options.timeoutMs, undefined, { signal: deadline.signal }).catch(() => {})]);
    deadline.abort();
  }

  /** Lost assignment: another owner may already write this partition. Stop without waiting; the
   * fencing check rejects whatever this instance still has in flight. */
  abandon(): void {
    this.#drainOnStop = false;
    this.#stopping = true;
    this.#queue.clear();
    this.#queue.interrupt();
  }

  async #run(): Promise<void> {
    try {
      for (;;) {
        // A stop that came while a batch was being written had no waiter to interrupt: waiting for
        // records now would never end (accept() takes none once stopping) and hang the revoke with it.
        if (!this.#stopping) await this.#queue.whenNotEmpty();
        if (this.#stopping && (!this.#drainOnStop || this.#queue.length === 0)) break;
        if (!this.#stopping && this.#options.lingerMs > 0 && this.#queue.length < this.#options.batchMaxRecords) {
          await sleep(this.#options.lingerMs);
          if (this.#stopping && !this.#drainOnStop) break;
        }
        const records = this.#queue.take(this.#options.batchMaxRecords);
        if (records.length === 0) continue;
        this.#maybeResume();
        await this.#write(records);
      }
    } catch (error) {
      if (this.#stopping && !this.#drainOnStop) {
        // Released (revoked or lost) while its last batch failed: nothing was committed and the next
        // owner starts from the stored offset. Not a failure of the partition.
        this.#log.warn({ err: describeError(error) }, 'batch in flight abandoned while the partition was released');
        return;
      }
      this.#failure = error as Error;
      this.#queue.clear();
      this.#log.error(
        { err: describeError(error), code: isSinkError(error) ? error.code : undefined },
        'partition stopped: a batch can not be written; fix the cause and restart (other partitions go on)',
      );
      this.#control.pause();
      this.#metrics.failed(this.ref);
      this.#metrics.state(this.ref, this.state);
    } finally {
      this.#queue.clear();
      this.#deadLetterLog.flush();
      if (this.#failure === undefined) this.#metrics.state(this.ref, 'stopped');
    }
  }

  async #write(records: KafkaRecord[]): Promise<void> {
    const started = performance.now();
    const retry = {
      isRetriable,
      onRetry: (error: unknown, attempt: number, delayMs: number) => {
        this.#metrics.retry(this.ref);
        this.#waitingFor = isSinkError(error, 'REGISTRY_UNAVAILABLE') ? 'registry' : 'database';
        this.#dependencies?.unreachable(this.#waitingFor, error);
        this.#metrics.state(this.ref, this.state);
        this.#log.warn(
          { err: describeError(error), attempt, delayMs },
          'transient failure, batch rolled back; retrying',
        );
      },
      shouldStop: () => this.#stopping && !this.#drainOnStop,
    };
    const batch: PreparedBatch = await withRetry(() => this.#preparer.prepare(records), this.#options.retry, retry);
    this.#answered();
    const result = await withRetry(
      () => this.#writer.commit(this.ref, this.#expected, batch),
      this.#options.retry,
      retry,
    );
    this.#answered();
    this.#dependencies?.reachable('database');
    if (result.kind === 'committed') {
      // A halt (errors.tolerance=none) commits only the records before the bad one.
      const count = result.halt === undefined ? batch.count : result.nextOffset - this.#expected;
      this.#expected = result.nextOffset;
      this.committedRecords += count;
      this.committedBatches++;
      this.deadLetters += result.deadLetters;
      this.#metrics.committed(
        this.ref,
        count,
        result.rows,
        result.deadLetters,
        (performance.now() - started) / 1000,
        result.nextOffset,
      );
      this.#control.committed(result.nextOffset);
      if ((result.missing ?? 0) > 0) this.#metrics.updateMissing(this.ref, result.missing!);
      if (result.deadLetters > 0) {
        const letters = [...batch.deadLetters, ...(result.rejected ?? [])];
        this.#deadLetterLog.report(letters.sort((a, b) => a.record.offset - b.record.offset));
      }
      // errors.tolerance=none: everything before the bad record is committed; the partition stops at it.
      if (result.halt !== undefined) throw result.halt;
      return;
    }
    await this.#fenced(result.stored, records);
  }

  /**
   * The stored offset is not what this pipeline committed last: another owner (or our own commit whose
   * answer was lost) moved it. Nothing of this batch was written. Continue from the stored offset.
   */
  async #fenced(stored: number | undefined, batch: KafkaRecord[]): Promise<void> {
    this.#metrics.fenced(this.ref);
    if (stored === undefined) throw new Error(`offset row of ${this.ref.topic}/${this.ref.partition} disappeared`);
    this.#log.warn(
      { expected: this.#expected, stored },
      'offset moved by another writer; batch rolled back, continuing from the stored offset',
    );
    this.#expected = stored;
    if (stored <= this.#lastAccepted + 1) {
      // Fetching is already past it: what follows `stored` is in this batch or still queued, in order.
      this.#queue.dropBelow(stored);
      this.#queue.pushFront(batch.filter((record) => record.offset >= stored));
      return;
    }
    // The other owner is ahead of our fetch position. Records fetched before the seek lands arrive in
    // order and pass through `stored` contiguously; the re-delivery after it is dropped by `accept`.
    this.#queue.clear();
    this.#lastAccepted = stored - 1;
    // Revoked or lost meanwhile: this pipeline writes nothing more, and a lost partition is already
    // unassigned (seeking it fails, and would report a healthy partition as stopped).
    if (this.#stopping) return;
    await this.#control.seek(stored);
    this.#maybeResume();
  }

  /** A step of the batch went through: whatever it waited for answered. */
  #answered(): void {
    if (this.#waitingFor === undefined) return;
    this.#waitingFor = undefined;
    this.#metrics.state(this.ref, this.state);
  }

  #maybeResume(): void {
    if (this.#paused && this.#queue.canResume && !this.#stopping) {
      this.#paused = false;
      this.#control.resume();
      this.#metrics.backpressure(this.ref, false);
      this.#metrics.state(this.ref, this.state);
      this.#log.warn({ queued: this.#queue.length }, 'Backpressure has been resolved. Resuming message processing...');
    }
  }
}
