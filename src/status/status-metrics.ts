/**
 * What the status sampler learns, as Prometheus gauges beside the pipeline's metrics: end offsets and lag
 * of every partition of the configured topics (each instance reports the whole group: aggregate with
 * `max by (topic, partition)`), whether the database and Kafka answer, and the state of each partition
 * this instance owns (one series per state, 1 for the current one: alerts and panels need no value map).
 */
import { Gauge, type Registry } from 'prom-client';
import type { GroupReading } from './group-reader.ts';
import type { LocalPartition } from './status-model.ts';
import { PIPELINE_STATES } from '../pipeline/partition-state.ts';

/**
 * Every state an owned partition can show (the pipeline's states but `stopped`: a stopped partition is
 * released and has no series); a state outside this list still gets its series.
 */
export const PARTITION_STATES: readonly string[] = PIPELINE_STATES.filter((state) => state !== 'stopped');

export class StatusMetrics {
  readonly #end: Gauge;
  readonly #lag: Gauge;
  readonly #databaseUp: Gauge;
  readonly #kafkaUp: Gauge;
  readonly #state: Gauge | undefined;
  #stateSeries = new Set<string>();

  constructor(registry: Registry) {
    const gauge = (name: string, help: string, labelNames: string[] = []): Gauge =>
      new Gauge({ name, help, labelNames, registers: [registry] });
    this.#end = gauge('kms_end_offset', 'Kafka high watermark of the partition, as the status sampler last read it', [
      'topic',
      'partition',
    ]);
    this.#lag = gauge(
      'kms_lag_records',
      'End offset minus the offset stored in kafka_offsets (every instance reports every partition of its topics)',
      ['topic', 'partition'],
    );
    this.#databaseUp = gauge('kms_database_up', '1 when the database answered the last status sample');
    this.#kafkaUp = gauge('kms_kafka_up', '1 when Kafka answered the last status sample');
    // The pipeline may come to declare this family itself; then it is the pipeline's to keep.
    this.#state =
      registry.getSingleMetric('kms_partition_state') === undefined
        ? gauge('kms_partition_state', '1 for the current state of a partition this instance owns', [
            'topic',
            'partition',
            'state',
          ])
        : undefined;
  }

  record(reading: GroupReading, local: readonly LocalPartition[]): void {
    this.#databaseUp.set(reading.databaseOk ? 1 : 0);
    this.#kafkaUp.set(reading.kafkaOk ? 1 : 0);
    for (const p of reading.partitions) {
      const labels = { topic: p.topic, partition: String(p.partition) };
      if (p.end !== null) this.#end.set(labels, p.end);
      if (p.end !== null && p.committed !== null) this.#lag.set(labels, Math.max(0, p.end - p.committed));
    }
    if (this.#state === undefined) return;
    const now = new Set<string>();
    for (const p of local) {
      const state = p.state === 'paused' ? 'backpressure' : p.state;
      for (const s of new Set<string>([...PARTITION_STATES, state])) {
        this.#state.set({ topic: p.topic, partition: String(p.partition), state: s }, s === state ? 1 : 0);
        now.add(JSON.stringify([p.topic, p.partition, s]));
      }
    }
    // Partitions handed to another instance: their series leave this instance's output.
    for (const series of this.#stateSeries) {
      if (now.has(series)) continue;
      const [topic, partition, state] = JSON.parse(series) as [string, number, string];
      this.#state.remove({ topic, partition: String(partition), state });
    }
    this.#stateSeries = now;
  }
}
