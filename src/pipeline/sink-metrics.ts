import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PartitionRef } from '../core/records.ts';
import { PIPELINE_STATES, type PipelineState } from './partition-state.ts';

/** Prometheus metrics of one sink process, labelled by topic and partition. */
export class SinkMetrics {
  readonly registry = new Registry();
  readonly #records = new Counter({
    name: 'kms_records_committed_total',
    help: 'Kafka records whose offset moved past them in a committed transaction',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly #rows = new Counter({
    name: 'kms_rows_inserted_total',
    help: 'Rows inserted, replaced, changed or deleted in sink tables (keyed tables: per statement effect)',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly #deadLetters = new Counter({
    name: 'kms_dead_letters_total',
    help: 'Records written to the dead-letter table',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly #updateMissing = new Counter({
    name: 'kms_update_missing_total',
    help: 'Records of sink.insert.mode=update whose row did not exist, skipped (sink.update.missing=skip)',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly #batches = new Counter({
    name: 'kms_batches_committed_total',
    help: 'Committed batch transactions',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly #fenced = new Counter({
    name: 'kms_batches_fenced_total',
    help: 'Batches rolled back because the stored offset had moved',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly #retries = new Counter({
    name: 'kms_batch_retries_total',
    help: 'Batch attempts retried after a transient failure',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly #retentionGaps = new Counter({
    name: 'kms_retention_gap_records_total',
    help: 'Records lost to retention before they were read',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly #queued = new Gauge({
    name: 'kms_queue_records',
    help: 'Records waiting in the partition queue',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly #paused = new Gauge({
    name: 'kms_backpressure_active',
    help: '1 while the partition is paused because its queue is full',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly #failed = new Gauge({
    name: 'kms_partition_failed',
    help: '1 when the partition stopped on an error',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly #state = new Gauge({
    name: 'kms_partition_state',
    help: `1 for the state the partition is in, 0 for the others (${PIPELINE_STATES.join(', ')})`,
    labelNames: ['topic', 'partition', 'state'],
    registers: [this.registry],
  });
  readonly #dependencyUp = new Gauge({
    name: 'kms_dependency_up',
    help: '1 while the service answers (database, kafka, registry), 0 while it does not',
    labelNames: ['dependency'],
    registers: [this.registry],
  });
  readonly #committedOffset = new Gauge({
    name: 'kms_committed_offset',
    help: 'Next offset to read, as stored in kafka_offsets',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly #batchSeconds = new Histogram({
    name: 'kms_batch_seconds',
    help: 'Prepare + commit time of one batch',
    labelNames: ['topic'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'kms_' });
  }

  queued(ref: PartitionRef, n: number): void {
    this.#queued.set(labels(ref), n);
  }
  backpressure(ref: PartitionRef, on: boolean): void {
    this.#paused.set(labels(ref), on ? 1 : 0);
  }
  fenced(ref: PartitionRef): void {
    this.#fenced.inc(labels(ref));
  }
  updateMissing(ref: PartitionRef, records: number): void {
    this.#updateMissing.inc(labels(ref), records);
  }
  retry(ref: PartitionRef): void {
    this.#retries.inc(labels(ref));
  }
  failed(ref: PartitionRef): void {
    this.#failed.set(labels(ref), 1);
  }
  state(ref: PartitionRef, state: PipelineState): void {
    const l = labels(ref);
    for (const each of PIPELINE_STATES) this.#state.set({ ...l, state: each }, each === state ? 1 : 0);
  }
  dependency(name: string, up: boolean): void {
    this.#dependencyUp.set({ dependency: name }, up ? 1 : 0);
  }
  retentionGap(ref: PartitionRef, records: number): void {
    this.#retentionGaps.inc(labels(ref), records);
  }
  assigned(ref: PartitionRef, offset: number): void {
    this.#committedOffset.set(labels(ref), offset);
    this.#failed.set(labels(ref), 0);
    this.#paused.set(labels(ref), 0);
    this.state(ref, 'running');
  }

  committed(
    ref: PartitionRef,
    records: number,
    rows: number,
    deadLetters: number,
    seconds: number,
    nextOffset: number,
  ): void {
    const l = labels(ref);
    this.#records.inc(l, records);
    this.#rows.inc(l, rows);
    if (deadLetters > 0) this.#deadLetters.inc(l, deadLetters);
    this.#batches.inc(l);
    this.#committedOffset.set(l, nextOffset);
    this.#batchSeconds.observe({ topic: ref.topic }, seconds);
  }
}

function labels(ref: PartitionRef): { topic: string; partition: string } {
  return { topic: ref.topic, partition: String(ref.partition) };
}
