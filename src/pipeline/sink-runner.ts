import { openBulkPool } from '../mysql/bulk-pool.ts';
import type { SinkConfig } from '../config/index.ts';
import { groupIdFor, tableNameFor } from '../config/index.ts';
import { SinkError, describeError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { RegistryClient } from '../avro/registry-client.ts';
import { registryOptions } from '../avro/registry-options.ts';
import { kafkaSecurity } from '../kafka/security-config.ts';
import { TopicConsumer } from '../kafka/topic-consumer.ts';
import { claimInstanceSlot, type InstanceSlot } from '../kafka/instance-slot.ts';
import { BatchWriter } from '../sink/batch-writer.ts';
import { isAccessDenied, isRetriable } from '../mysql/errno.ts';
import type { PartitionRef } from '../core/records.ts';
import { OffsetStore } from '../sink/offset-store.ts';
import { createSidePool, createWriterPool, ping, type Pool } from '../mysql/pool.ts';
import { type Dependency, DependencyMonitor } from './dependency-monitor.ts';
import { sessionCipher, tlsFailure, tlsHint } from '../mysql/tls.ts';
import { TableManager } from '../sink/table-manager.ts';
import { SinkMetrics } from './sink-metrics.ts';
import { PartitionPipeline, type PipelineOptions } from './partition-pipeline.ts';
import { preparerOptionsOf, tableManagerOptionsOf } from './preparer-options.ts';
import { RecordPreparer } from './record-preparer.ts';
import { withRetry } from '../core/retry.ts';

/** Start-up waits this long at most between attempts to reach a service that is not up yet. */
const STARTUP_RETRY = { initialMs: 500, budgetMs: Number.POSITIVE_INFINITY, maxDelayMs: 10_000 };

const SERVICE_DEPENDENCY = {
  database: 'database',
  kafka: 'kafka',
  'schema registry': 'registry',
} as const satisfies Record<string, Dependency>;

/**
 * The sink process: one consumer group member per topic, one pipeline per assigned partition, one
 * shared connection pool. Start-up waits for unreachable services (with a clear log line per attempt)
 * instead of crash-looping; a wrong password or a missing database is a configuration error.
 */
export class SinkRunner {
  readonly config: SinkConfig;
  readonly metrics = new SinkMetrics();
  readonly #log: Logger;
  readonly #pool: Pool;
  readonly #offsets: OffsetStore;
  readonly #tables: TableManager;
  readonly #writer: BatchWriter;
  readonly #registry: RegistryClient;
  /** One connection of its own: probing through the writer's pool would queue behind stuck batches. */
  readonly #probePool: Pool;
  readonly dependencies: DependencyMonitor;
  readonly #consumers: TopicConsumer[] = [];
  readonly #pipelines = new Map<string, PartitionPipeline>();
  #stopping = false;
  /** `kafka.group.instance.id=auto`: the slot that gives this process its stable static member id. */
  #slot: InstanceSlot | undefined;
  #groupInstanceId: string | undefined;
  /** Failures outside any partition pipeline (e.g. a rebalance that could not be handled). */
  readonly failures: string[] = [];

  constructor(config: SinkConfig, log: Logger) {
    this.config = config;
    this.#log = log;
    this.#pool = createWriterPool(config);
    this.#offsets = new OffsetStore(this.#pool, config.sink.offsetsTable, config.sink.deadLetterTable);
    this.#tables = new TableManager(this.#pool, tableManagerOptionsOf(config));
    this.#writer = new BatchWriter(this.#pool, this.#offsets, config.sink.insertMode, config.errors.tolerance, {
      updateMissing: config.sink.updateMissing,
      // bulk on MariaDB only: the server is asked once it answers (openProtocol at start-up).
      openBulk: () => openBulkPool(config, this.#pool, (message) => this.#log.warn(message)),
    });
    this.#registry = new RegistryClient(registryOptions(config));
    const graceMs = config.status.healthGraceMs;
    const probeTimeoutMs = Math.max(1_000, Math.min(5_000, Math.floor(graceMs / 2)));
    this.#probePool = createSidePool(config, 1, probeTimeoutMs);
    this.dependencies = new DependencyMonitor(
      {
        probes: {
          database: () => ping(this.#probePool),
          kafka: async () => {
            await this.#consumers[0]?.watermarks(0, probeTimeoutMs);
          },
          registry: () => this.#registry.probe(probeTimeoutMs),
        },
        graceMs,
        intervalMs: Math.max(500, Math.min(5_000, Math.floor(graceMs / 3))),
        probeTimeoutMs,
      },
      this.metrics,
      log,
    );
  }

  get pipelines(): ReadonlyMap<string, PartitionPipeline> {
    return this.#pipelines;
  }
  get stopping(): boolean {
    return this.#stopping;
  }

  async start(): Promise<void> {
    this.dependencies.start();
    await this.#waitFor(
      'database',
      `${this.config.mysql.host}:${this.config.mysql.port}/${this.config.mysql.database}`,
      async () => {
        try {
          await ping(this.#pool);
        } catch (error) {
          const { host, port, ssl } = this.config.mysql;
          const tls = tlsFailure(error, `${host}:${port}`);
          if (tls !== undefined) throw tls;
          if (isAccessDenied(error)) {
            throw new SinkError(
              'CONFIG_INVALID',
              `mysql: ${describeError(error)
                .replace(/\(using password: \w+\)/, '')
                .trim()}; check mysql.username / mysql.password / mysql.url (database must exist: run \`kms provision\`)${tlsHint(ssl)}`,
            );
          }
          throw error;
        }
      },
    );
    // Says whether the writes travel encrypted: preferred quietly falls back to plain text.
    const cipher = await sessionCipher(this.#pool).catch(() => undefined);
    this.#log.info(
      { sslMode: this.config.mysql.ssl.mode, tlsCipher: cipher || 'none (plain text)' },
      'database connected',
    );
    await this.#waitFor('database', 'kafka_offsets / kafka_dead_letters', () => this.#offsets.ensureTables());
    // While the consumers join their groups: the first batch then does not wait for the second driver.
    this.#writer.openProtocol();
    await this.#waitFor('schema registry', this.#registry.url, () => this.#registry.probe());
    this.#groupInstanceId = await this.#instanceId();
    for (const topic of this.config.kafka.topics) {
      const consumer = this.#createConsumer(topic);
      await this.#waitFor('kafka', this.config.kafka.bootstrapServers.join(','), () => consumer.connect());
      this.#consumers.push(consumer);
      consumer.start();
      this.#log.info({ topic, group: consumer.options.group, table: tableNameFor(this.config, topic) }, 'consuming');
    }
  }

  /** The static member id (kafka.group.instance.id): one of ours per host slot, the operator's, or none. */
  async #instanceId(): Promise<string | undefined> {
    const setting = this.config.kafka.groupInstanceId;
    if (setting === 'none') return undefined;
    if (setting !== 'auto') return setting;
    // Slots are unique per cluster and set of groups: sinks of other groups or clusters do not take ours.
    const groups = this.config.kafka.topics.map((topic) => groupIdFor(this.config, topic)).sort();
    this.#slot = await claimInstanceSlot([this.config.kafka.bootstrapServers.join(','), ...groups].join('\n'));
    this.#log.info({ groupInstanceId: this.#slot.id }, `static group member ${this.#slot.id}`);
    return this.#slot.id;
  }

  /** Graceful: stop fetching, write what is queued, leave the groups, close the pool. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    await Promise.all(this.#consumers.map((c) => c.stopFetching()));
    await Promise.all([...this.#pipelines.values()].map((p) => p.stop({ drain: true, timeoutMs })));
    await Promise.all(this.#consumers.map((c) => c.disconnect()));
    this.dependencies.stop();
    await this.#slot?.release();
    await this.#probePool.end().catch(() => {});
    await this.#writer.close();
    await this.#pool.end().catch(() => {});
  }

  #createConsumer(topic: string): TopicConsumer {
    const group = groupIdFor(this.config, topic);
    const preparer = new RecordPreparer(
      this.#registry.schemas,
      preparerOptionsOf(this.config, topic, this.#tables, this.#registry),
    );
    const pipelineOptions: PipelineOptions = {
      queueSize: this.config.backpressure.queueSize,
      resumeAt: this.config.backpressure.resumeAt,
      batchMaxRecords: this.config.sink.batchMaxRecords,
      lingerMs: this.config.sink.batchLingerMs,
      retry: { initialMs: this.config.sink.retryInitialMs, budgetMs: this.config.sink.retryMaxMs },
      deadLetterLog: {
        maxLines: this.config.errors.deadLetterLogMax,
        intervalMs: this.config.errors.deadLetterLogIntervalMs,
      },
    };
    const key = (partition: number): string => `${topic}\u0000${partition}`;
    const consumer: TopicConsumer = new TopicConsumer(
      {
        topic,
        group,
        bootstrapServers: this.config.kafka.bootstrapServers.join(','),
        security: kafkaSecurity(this.config),
        clientId: this.config.kafka.clientId,
        sessionTimeoutMs: this.config.kafka.sessionTimeoutMs,
        ...(this.#groupInstanceId === undefined ? {} : { groupInstanceId: this.#groupInstanceId }),
        fetchMaxBytes: this.config.kafka.fetchMaxBytes,
        maxPollRecords: this.config.backpressure.maxPollRecords,
        pollIntervalMs: this.config.backpressure.pollIntervalMs,
        offsetHintIntervalMs: this.config.kafka.offsetHintIntervalMs,
        extra: this.config.kafka.consumerProperties,
      },
      {
        onAssign: async (partitions) => {
          const offsets = new Map<number, number>();
          for (const partition of partitions) {
            const ref: PartitionRef = { topic, partition, group };
            const start = await this.#startOffset(consumer, ref);
            offsets.set(partition, start);
            const pipeline = new PartitionPipeline(ref, start, {
              options: pipelineOptions,
              preparer,
              writer: this.#writer,
              log: this.#log,
              metrics: this.metrics,
              dependencies: this.dependencies,
              control: {
                pause: () => consumer.pause(partition),
                resume: () => consumer.resume(partition),
                seek: (offset) => consumer.seek(partition, offset),
                committed: (nextOffset) => consumer.hintCommitted(partition, nextOffset),
              },
            });
            this.#pipelines.set(key(partition), pipeline);
            this.metrics.assigned(ref, start);
            consumer.hintCommitted(partition, start);
            pipeline.start();
          }
          return offsets;
        },
        onRevoke: async (partitions, lost) => {
          await Promise.all(
            partitions.map(async (partition) => {
              const pipeline = this.#pipelines.get(key(partition));
              if (pipeline === undefined) return;
              this.#pipelines.delete(key(partition));
              if (lost) pipeline.abandon();
              else await pipeline.stop({ drain: this.#stopping });
            }),
          );
        },
        onRecords: (partition, records) => this.#pipelines.get(key(partition))?.accept(records),
        onFailure: (message) => this.failures.push(message),
      },
      this.#log,
    );
    return consumer;
  }

  /**
   * Where an assigned partition starts: the stored offset, after creating its row at the earliest
   * available offset if it has none. A stored offset below the earliest means retention deleted
   * records before they were read: that cannot be undone, so it is reported loudly and skipped.
   */
  async #startOffset(consumer: TopicConsumer, ref: PartitionRef): Promise<number> {
    return withRetry(
      async () => {
        const { low, high } = await consumer.watermarks(ref.partition);
        const stored = await this.#offsets.claim(ref, low);
        if (stored >= low) {
          if (stored > high)
            this.#log.warn(
              { topic: ref.topic, partition: ref.partition, stored, high },
              'stored offset is beyond the end of the partition (topic re-created?)',
            );
          return stored;
        }
        const gap = low - stored;
        this.#log.error(
          { topic: ref.topic, partition: ref.partition, stored, earliest: low, gap },
          `${gap} records were deleted by retention before they were read; continuing at the earliest available offset`,
        );
        this.metrics.retentionGap(ref, gap);
        await this.#offsets.moveIfUnchanged(ref, stored, low);
        return (await this.#offsets.read(ref)) ?? low;
      },
      STARTUP_RETRY,
      {
        isRetriable,
        onRetry: (error, attempt, delayMs) =>
          this.#log.warn({ err: describeError(error), attempt, delayMs }, 'reading the start offset failed; retrying'),
        shouldStop: () => this.#stopping,
      },
    );
  }

  /** Retries `probe` with backoff while the service is unreachable, one WARN line per attempt. */
  async #waitFor(service: keyof typeof SERVICE_DEPENDENCY, where: string, probe: () => Promise<void>): Promise<void> {
    await withRetry(probe, STARTUP_RETRY, {
      // A refused connection (ECONNREFUSED) is transient: the service may just not be up yet.
      isRetriable,
      onRetry: (error, attempt, delayMs) => {
        this.dependencies.unreachable(SERVICE_DEPENDENCY[service], error);
        this.#log.warn(
          { service, where, attempt, retryInMs: delayMs, err: describeError(error) },
          `${service} unreachable at ${where}; retrying`,
        );
      },
      shouldStop: () => this.#stopping,
    });
  }
}
