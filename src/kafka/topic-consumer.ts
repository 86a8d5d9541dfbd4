import Kafka from '@confluentinc/kafka-javascript';
import type { Logger } from '../core/log.ts';
import { SinkError, describeError } from '../core/errors.ts';
import type { KafkaRecord } from '../core/records.ts';
import { kafkaUnavailable } from './metadata-client.ts';
import { consumerConfig, type TopicConsumerOptions } from './consumer-config.ts';
import { connectChecked } from './security-errors.ts';
import { fetchOptionsOf } from './fetch-options.ts';
import { RecordFetcher } from './record-fetcher.ts';

const ERR_ASSIGN_PARTITIONS = -175;
const ERR_REVOKE_PARTITIONS = -174;
/** librdkafka reports one failure hundreds of times a second while a broker is down: one line per this. */
const CLIENT_ERROR_LOG_INTERVAL_MS = 30_000;

/** The callback API has these; its TypeScript types do not (yet). */
interface CooperativeConsumer extends Kafka.KafkaConsumer {
  incrementalAssign(assignments: Kafka.Assignment[]): void;
  incrementalUnassign(assignments: Kafka.TopicPartition[]): void;
  assignmentLost(): boolean;
  setDefaultIsTimeoutOnlyForFirstMessage?(value: boolean): void;
}

export type { TopicConsumerOptions } from './consumer-config.ts';

export interface TopicConsumerHandlers {
  /** Returns the offset each newly assigned partition starts at (from kafka_offsets). */
  onAssign(partitions: number[]): Promise<Map<number, number>>;
  /** Revoked (lost = the group moved on without us). Resolve when nothing more will be written. */
  onRevoke(partitions: number[], lost: boolean): Promise<void>;
  /** Records of one partition, in offset order. */
  onRecords(partition: number, records: KafkaRecord[]): void;
  /** A rebalance could not be handled: the topic makes no progress until the cause is fixed. */
  onFailure(message: string): void;
}

/** librdkafka refuses a bad `kafka.consumer.*` value only here: name the config key, exit code 2. */
function createConsumer(config: Record<string, unknown>): CooperativeConsumer {
  try {
    return new Kafka.KafkaConsumer(config as Kafka.ConsumerGlobalConfig, {
      'auto.offset.reset': 'earliest',
    }) as CooperativeConsumer;
  } catch (error) {
    const property = /configuration property:? "([^"]+)"/.exec(describeError(error))?.[1];
    if (property === undefined) throw error;
    throw new SinkError(
      'CONFIG_INVALID',
      `config key kafka.consumer.${property}: ${describeError(error)}; ` +
        "fix or remove it (librdkafka's CONFIGURATION.md lists the valid values)",
    );
  }
}

/**
 * One consumer group member for one topic: librdkafka's cooperative-sticky assignor with manual,
 * incremental assignment. Kafka's committed offsets are never read (only written, as a hint for lag
 * tools); every assignment starts where kafka_offsets says. Rebalance events are handled strictly one
 * after another.
 *
 * librdkafka only keeps the membership: every partition it assigns stays paused in it, and the records
 * come from a RecordFetcher (pure JavaScript, several times cheaper per record) fetching exactly the
 * partitions librdkafka assigned, from the offsets the sink chose.
 */
export class TopicConsumer {
  readonly options: TopicConsumerOptions;
  readonly #handlers: TopicConsumerHandlers;
  readonly #log: Logger;
  readonly #consumer: CooperativeConsumer;
  readonly #fetcher: RecordFetcher;
  #rebalances: Promise<void> = Promise.resolve();
  /** Positions committed to MySQL and not yet passed on to Kafka as a hint, by partition. */
  readonly #hints = new Map<number, number>();
  /** Partitions assigned to this member: a late commit of a revoked one must not move the hint back. */
  readonly #assigned = new Set<number>();
  #hintTimer: NodeJS.Timeout | undefined;
  #consuming = false;
  #watchingErrors = false;
  #closing = false;
  #loopDone: Promise<void> = Promise.resolve();
  readonly #clientErrors = new Map<string, { at: number; suppressed: number }>();

  constructor(options: TopicConsumerOptions, handlers: TopicConsumerHandlers, log: Logger) {
    this.options = options;
    this.#handlers = handlers;
    this.#log = log.child({ topic: options.topic, group: options.group });
    const settings = consumerConfig(options);
    this.#fetcher = new RecordFetcher(options.topic, options.group, fetchOptionsOf(settings), options.maxPollRecords, {
      onRecords: (partition, records) => this.#handlers.onRecords(partition, records),
      onFetchError: (message) => this.#clientError(message),
      onOffsetReset: (partition, from, to) =>
        this.#log.warn({ partition, from, to }, 'fetch position outside the log; continuing at the earliest offset'),
    });
    this.#consumer = createConsumer({
      ...settings,
      rebalance_cb: (error: Kafka.LibrdKafkaError | undefined, assignment: Kafka.Assignment[]) =>
        this.#onRebalance(error, assignment),
      offset_commit_cb: (error: Kafka.LibrdKafkaError | undefined, offsets: Kafka.TopicPartitionOffset[]) => {
        if (error) this.#log.debug({ err: describeError(error), offsets }, 'offset hint refused by kafka');
      },
    });
  }

  /** One WARN per distinct client error per interval, with how many were suppressed since the last one. */
  #clientError(err: string): void {
    const now = Date.now();
    const seen = this.#clientErrors.get(err);
    if (seen !== undefined && now - seen.at < CLIENT_ERROR_LOG_INTERVAL_MS) {
      seen.suppressed++;
      return;
    }
    this.#clientErrors.set(err, { at: now, suppressed: 0 });
    this.#log.warn({ err, ...(seen?.suppressed ? { repeated: seen.suppressed } : {}) }, 'kafka client error');
  }

  /**
   * Connects (metadata round trip); an unreachable cluster fails with KAFKA_UNAVAILABLE (retriable), a
   * refused login or TLS handshake with one CONFIG_INVALID line. Client errors are logged (WARN) only once
   * connected: while connecting, the connect's own failure says what went wrong, and a WARN per event
   * before it would be the retry storm a configuration error must not cause.
   */
  async connect(timeoutMs = 10_000): Promise<void> {
    const { bootstrapServers } = this.options;
    const within = `did not answer within ${Math.round(timeoutMs / 1000)} s`;
    await connectChecked(this.#consumer, this.options, timeoutMs, (error) =>
      kafkaUnavailable({ bootstrapServers }, within, error),
    );
    if (this.#watchingErrors) return;
    this.#watchingErrors = true;
    this.#consumer.on('event.error', (error) => this.#clientError(describeError(error)));
  }

  /** Joins the group and starts the fetch loop. */
  start(): void {
    this.#consumer.subscribe([this.options.topic]);
    this.#consumer.setDefaultConsumeTimeout(this.options.pollIntervalMs);
    this.#consumer.setDefaultIsTimeoutOnlyForFirstMessage?.(true);
    this.#consuming = true;
    this.#loopDone = new Promise((resolve) => this.#poll(resolve));
    this.#fetcher.start();
    if (this.options.offsetHintIntervalMs > 0) {
      this.#hintTimer = setInterval(() => this.#commitHints(), this.options.offsetHintIntervalMs).unref();
    }
  }

  /**
   * Notes that `partition` continues at `nextOffset` (committed to MySQL). Passed on to Kafka as the
   * group's committed offset at the next hint tick, so lag tools (kafka-consumer-groups, exporters)
   * see the sink's progress. A hint only: the sink always starts from kafka_offsets.
   */
  hintCommitted(partition: number, nextOffset: number): void {
    if (this.options.offsetHintIntervalMs > 0 && this.#assigned.has(partition)) this.#hints.set(partition, nextOffset);
  }

  /** Asynchronous, best effort: a failed hint (rebalance in progress, broker away) is replaced by the next one. */
  #commitHints(partitions?: readonly number[]): void {
    const offsets: Kafka.TopicPartitionOffset[] = [];
    for (const partition of partitions ?? [...this.#hints.keys()]) {
      const offset = this.#hints.get(partition);
      if (offset === undefined) continue;
      offsets.push({ topic: this.options.topic, partition, offset });
      this.#hints.delete(partition);
    }
    if (offsets.length === 0) return;
    try {
      this.#consumer.commit(offsets);
    } catch (error) {
      this.#log.debug({ err: describeError(error), offsets }, 'offset hint not committed to kafka');
    }
  }

  /** Stops fetching; resolves once no fetch callback is pending. */
  async stopFetching(): Promise<void> {
    this.#consuming = false;
    clearInterval(this.#hintTimer);
    await Promise.all([this.#loopDone, this.#fetcher.stop()]);
  }

  /** Leaves the group (revokes what is still assigned through the handlers) and closes the client. */
  async disconnect(timeoutMs = 15_000): Promise<void> {
    // The final positions (call this once the pipelines drained): the client refuses commits once closing.
    this.#commitHints();
    const left = this.options.groupInstanceId !== undefined && this.#assigned.size > 0;
    if (left) await this.#leaveAsStaticMember();
    this.#closing = true;
    // librdkafka's close alone sends no LeaveGroup when this member owns nothing in the middle of a
    // cooperative rebalance: the rest of the group then waits out the session timeout before the
    // partitions meant for us find an owner. An explicit unsubscribe leaves then. Only then: with
    // partitions, it would start a revoke of its own that races the one the close starts.
    if (this.#assigned.size === 0 && !left) {
      try {
        this.#consumer.unsubscribe();
      } catch (error) {
        this.#log.debug({ err: describeError(error) }, 'unsubscribe before close failed');
      }
    }
    await this.#fetcher.close();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#log.warn('kafka consumer did not close in time; exiting anyway');
        resolve();
      }, timeoutMs);
      this.#consumer.disconnect(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * A static member sends no LeaveGroup when it closes (KIP-345): its partitions would wait out the
   * session timeout before another instance gets them. An unsubscribe does leave: it revokes everything
   * (served here, the fetch loop has stopped) and then sends the LeaveGroup, so a graceful stop hands
   * over at once.
   */
  async #leaveAsStaticMember(timeoutMs = 5_000): Promise<void> {
    try {
      this.#consumer.unsubscribe();
    } catch (error) {
      this.#log.debug({ err: describeError(error) }, 'unsubscribe before close failed');
      return;
    }
    const deadline = Date.now() + timeoutMs;
    while (this.#assigned.size > 0 && Date.now() < deadline) {
      // Serves the revoke callback; no records come after an unsubscribe.
      await new Promise<void>((resolve) => this.#consumer.consume(1, () => resolve()));
      await this.#rebalances;
    }
  }

  pause(partition: number): void {
    this.#fetcher.pause(partition);
  }
  resume(partition: number): void {
    this.#fetcher.resume(partition);
  }

  /** Records fetched from before `offset` and not yet passed on are dropped. */
  seek(partition: number, offset: number): Promise<void> {
    this.#fetcher.seek(partition, offset);
    return Promise.resolve();
  }

  watermarks(partition: number, timeoutMs = 5_000): Promise<{ low: number; high: number }> {
    return new Promise((resolve, reject) => {
      this.#consumer.queryWatermarkOffsets(this.options.topic, partition, timeoutMs, (error, offsets) => {
        if (error)
          reject(
            kafkaUnavailable(
              { bootstrapServers: this.options.bootstrapServers },
              `gave no watermarks for ${this.options.topic}/${partition}`,
              error,
            ),
          );
        else resolve({ low: offsets.lowOffset, high: offsets.highOffset });
      });
    });
  }

  #poll(done: () => void): void {
    if (!this.#consuming) {
      done();
      return;
    }
    // The poll serves rebalance callbacks; records come through the fetcher, so one message per call.
    this.#consumer.consume(1, (error, messages) => {
      if (error) {
        this.#log.warn({ err: describeError(error) }, 'kafka fetch failed; retrying');
        setTimeout(() => this.#poll(done), 200);
        return;
      }
      // Only what librdkafka fetched in the moment between an assign and its pause: the fetcher reads
      // those partitions from the same offsets.
      if (messages.length > 0) this.#log.debug({ dropped: messages.length }, 'records from the group member dropped');
      setImmediate(() => this.#poll(done));
    });
  }

  #onRebalance(error: Kafka.LibrdKafkaError | undefined, assignment: Kafka.Assignment[]): void {
    const code = (error as { code?: number } | undefined)?.code;
    const partitions = assignment.map((a) => a.partition);
    // Read now: the flag describes this revoke and is reset once we unassign.
    const lost = code === ERR_REVOKE_PARTITIONS && this.#consumer.assignmentLost();
    this.#rebalances = this.#rebalances
      .then(async () => {
        if (code === ERR_ASSIGN_PARTITIONS) {
          for (const partition of partitions) this.#assigned.add(partition);
          const offsets = await this.#handlers.onAssign(partitions);
          this.#consumer.incrementalAssign(
            partitions.map((partition) => ({ topic: this.options.topic, partition, offset: offsets.get(partition)! })),
          );
          // The group member never fetches: the record fetcher reads what it was assigned.
          if (partitions.length > 0)
            this.#consumer.pause(partitions.map((partition) => ({ topic: this.options.topic, partition })));
          for (const partition of partitions) this.#fetcher.add(partition, offsets.get(partition)!);
          this.#log.info({ partitions, offsets: Object.fromEntries(offsets) }, 'partitions assigned');
        } else if (code === ERR_REVOKE_PARTITIONS) {
          for (const partition of partitions) this.#fetcher.remove(partition);
          await this.#handlers.onRevoke(partitions, lost);
          // The final positions, while we are still the owner (a lost partition may have a new owner already).
          if (!lost) this.#commitHints(partitions);
          for (const partition of partitions) {
            this.#assigned.delete(partition);
            this.#hints.delete(partition);
          }
          this.#consumer.incrementalUnassign(assignment.map((a) => ({ topic: a.topic, partition: a.partition })));
          this.#log.info({ partitions, lost }, lost ? 'partitions lost' : 'partitions revoked');
        } else {
          this.#log.error({ err: describeError(error) }, 'rebalance error');
        }
      })
      .catch((failure: unknown) => {
        if (this.#closing) {
          // The client is closing and revokes everything itself; a late answer to its callback is moot.
          this.#log.debug({ err: describeError(failure) }, 'rebalance handling failed while closing');
          return;
        }
        this.#log.error(
          { err: describeError(failure) },
          'rebalance handling failed; this topic makes no progress until restarted',
        );
        this.#handlers.onFailure(`rebalance of ${this.options.topic} failed: ${describeError(failure)}`);
      });
  }
}
