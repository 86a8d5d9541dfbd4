/**
 * The status page's model: samples the group (GroupReader) every few seconds, keeps 15 minutes of
 * throughput and total lag for the chart, derives per-partition rates (and so lag in seconds), and
 * merges in this instance's live pipeline states. Pure bookkeeping over readings, so it is unit-tested
 * with readings made by hand.
 */
import type { GroupReading, InstanceReading } from './group-reader.ts';
import type { InstanceInfo } from './instance-info.ts';
import type { HistoryPoint, LocalPartition, Overview, PartitionView, TopicView } from './status-view.ts';

export type { HistoryPoint, LocalPartition, Overview, PartitionView, TopicView } from './status-view.ts';

export const SAMPLE_INTERVAL_MS = 3_000;
export const HISTORY_MS = 15 * 60_000;
/** Rates are averaged over this window: long enough to smooth batches, short enough to follow a drain. */
const RATE_WINDOW_MS = 30_000;
const STALE_RATE_MS = 4 * SAMPLE_INTERVAL_MS;

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class StatusModel {
  readonly #info: InstanceInfo;
  readonly #local: () => LocalPartition[];
  #reading: GroupReading | undefined;
  /** Per partition: (time, committed offset) samples of the last RATE_WINDOW_MS. */
  readonly #progress = new Map<string, [number, number][]>();
  readonly #history: HistoryPoint[] = [];
  /** Local totals since start: pipelines come and go with rebalances, these only grow. */
  #written = 0;
  #dead = 0;
  readonly #seen = new WeakMap<object, { records: number; dead: number }>();
  readonly #localSamples: [number, number][] = [];

  readonly #pipelines: () => Iterable<{ committedRecords: number; deadLetters: number }>;
  readonly #problems: () => string[];

  /** `pipelines`: this instance's live pipeline objects, for totals that survive rebalances. */
  constructor(
    info: InstanceInfo,
    local: () => LocalPartition[],
    pipelines: () => Iterable<{ committedRecords: number; deadLetters: number }> = () => [],
    /** This instance's own view of its services (the pipeline's dependency probes), shown with the sampler's. */
    problems: () => string[] = () => [],
  ) {
    this.#info = info;
    this.#local = local;
    this.#pipelines = pipelines;
    this.#problems = problems;
  }

  get reading(): GroupReading | undefined {
    return this.#reading;
  }

  get history(): readonly HistoryPoint[] {
    return this.#history;
  }

  /** Counts what each live pipeline committed since the last call (pipelines are objects kept by the runner). */
  countLocal(now = Date.now()): void {
    for (const p of this.#pipelines()) {
      const before = this.#seen.get(p) ?? { records: 0, dead: 0 };
      this.#written += p.committedRecords - before.records;
      this.#dead += p.deadLetters - before.dead;
      this.#seen.set(p, { records: p.committedRecords, dead: p.deadLetters });
    }
    this.#localSamples.push([now, this.#written]);
    while (this.#localSamples.length > 2 && now - this.#localSamples[0]![0] > RATE_WINDOW_MS)
      this.#localSamples.shift();
  }

  /** Takes a new group reading: rates, and one chart point. */
  record(reading: GroupReading): void {
    const previous = this.#reading;
    this.#reading = reading;
    for (const p of reading.partitions) {
      if (p.committed === null) continue;
      const samples = this.#progress.get(key(p.topic, p.partition)) ?? [];
      samples.push([reading.at, p.committed]);
      while (samples.length > 2 && reading.at - samples[0]![0] > RATE_WINDOW_MS) samples.shift();
      this.#progress.set(key(p.topic, p.partition), samples);
    }
    if (!reading.databaseOk && previous === undefined) return;
    let lag = 0;
    for (const p of reading.partitions) {
      const from = p.committed ?? p.low;
      if (p.end !== null && from !== null) lag += Math.max(0, p.end - from);
    }
    let rate = 0;
    if (previous !== undefined && reading.databaseOk && previous.databaseOk) {
      const before = new Map(previous.partitions.map((p) => [key(p.topic, p.partition), p.committed]));
      let moved = 0;
      for (const p of reading.partitions) {
        const then = before.get(key(p.topic, p.partition));
        if (p.committed !== null && then !== null && then !== undefined) moved += Math.max(0, p.committed - then);
      }
      rate = moved / Math.max(0.001, (reading.at - previous.at) / 1000);
    }
    // A dead database gives no lag: the chart shows a gap (null is not a number in JSON here), not a false 0.
    if (reading.databaseOk && reading.kafkaOk) this.#history.push({ t: Math.round(reading.at / 1000), rate, lag });
    while (this.#history.length > 0 && reading.at - this.#history[0]!.t * 1000 > HISTORY_MS) this.#history.shift();
  }

  #rate(topic: string, partition: number, now: number): number {
    const samples = this.#progress.get(key(topic, partition));
    if (samples === undefined || samples.length < 2) return 0;
    // No reading of the partition for a while (database unreachable): no rate is known, not the old one.
    if (now - samples[samples.length - 1]![0] > STALE_RATE_MS) return 0;
    const [t0, c0] = samples[0]!;
    const [t1, c1] = samples[samples.length - 1]!;
    return t1 > t0 ? Math.max(0, c1 - c0) / ((t1 - t0) / 1000) : 0;
  }

  overview(now = Date.now()): Overview {
    this.countLocal(now);
    const reading = this.#reading;
    const local = new Map(this.#local().map((p) => [key(p.topic, p.partition), p]));
    const owners = new Map<string, { instance: InstanceReading; state: string; reason?: string }>();
    for (const instance of reading?.instances ?? []) {
      if (instance.id === this.#info.id) continue;
      for (const p of instance.partitions) owners.set(key(p.topic, p.partition), { instance, ...p });
    }
    const rows: PartitionView[] = [];
    const listed = new Set<string>();
    const add = (
      topic: string,
      partition: number,
      group: string,
      r: GroupReading['partitions'][number] | undefined,
    ): void => {
      const k = key(topic, partition);
      listed.add(k);
      const mine = local.get(k);
      const other = owners.get(k);
      const committed = r?.committed ?? mine?.committedOffset ?? null;
      const end = r?.end ?? null;
      // No offset row yet: the sink will start at the earliest offset, so all of the partition is lag.
      const from = committed ?? (reading?.databaseOk ? (r?.low ?? null) : null);
      const lag = end !== null && from !== null ? Math.max(0, end - from) : null;
      const rate = this.#rate(topic, partition, now);
      rows.push({
        topic,
        partition,
        group,
        committed,
        end,
        lag,
        rate,
        lagSeconds: secondsBehind(lag, rate),
        state: mine?.state ?? other?.state ?? 'unassigned',
        reason: mine?.reason ?? mine?.error ?? other?.reason ?? null,
        owner: mine ? this.#info.id : (other?.instance.id ?? null),
        ownerUrl: mine ? this.#info.statusUrl : (other?.instance.statusUrl ?? null),
        deadLetters: r?.deadLetters ?? null,
        queued: mine?.queued ?? null,
      });
    };
    for (const r of reading?.partitions ?? []) add(r.topic, r.partition, r.group, r);
    for (const [k, p] of local) if (!listed.has(k)) add(p.topic, p.partition, '', undefined);
    rows.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);

    const topics = new Map<string, TopicView>();
    for (const row of rows) {
      const t = topics.get(row.topic) ?? {
        topic: row.topic,
        group: row.group,
        partitions: 0,
        committed: 0,
        end: 0,
        lag: 0,
        rate: 0,
        lagSeconds: null,
        deadLetters: 0,
      };
      topics.set(row.topic, {
        ...t,
        partitions: t.partitions + 1,
        committed: t.committed + (row.committed ?? 0),
        end: t.end + (row.end ?? 0),
        lag: t.lag + (row.lag ?? 0),
        rate: t.rate + row.rate,
        deadLetters: t.deadLetters + (row.deadLetters ?? 0),
      });
    }
    const topicViews = [...topics.values()].map((t) => ({ ...t, lagSeconds: secondsBehind(t.lag, t.rate) }));
    const totalLag = topicViews.reduce((s, t) => s + t.lag, 0);
    const totalRate = topicViews.reduce((s, t) => s + t.rate, 0);
    const samples = this.#localSamples;
    const localRate =
      samples.length >= 2
        ? (samples.at(-1)![1] - samples[0]![1]) / Math.max(0.001, (samples.at(-1)![0] - samples[0]![0]) / 1000)
        : 0;
    return {
      at: new Date(now).toISOString(),
      sampledAt: reading ? new Date(reading.at).toISOString() : null,
      instance: {
        id: this.#info.id,
        version: this.#info.version,
        startedAt: this.#info.startedAt.toISOString(),
        uptimeSeconds: Math.round((now - this.#info.startedAt.getTime()) / 1000),
        statusUrl: this.#info.statusUrl,
        rate: localRate,
        written: this.#written,
        deadLetters: this.#dead,
        partitions: local.size,
        config: this.#info.config,
      },
      totals: {
        lag: totalLag,
        rate: totalRate,
        lagSeconds: secondsBehind(totalLag, totalRate),
        deadLetters: topicViews.reduce((s, t) => s + t.deadLetters, 0),
      },
      topics: topicViews,
      partitions: rows,
      instances: (reading?.instances ?? []).map((i) => ({
        id: i.id,
        statusUrl: i.statusUrl,
        version: i.version,
        ageSeconds: i.ageSeconds,
        partitions: i.partitions.length,
      })),
      problems: [...this.#problems(), ...(reading?.problems ?? [])],
      database: reading === undefined || reading.databaseOk ? 'ok' : 'unreachable',
      kafka: reading === undefined || reading.kafkaOk ? 'ok' : 'unreachable',
    };
  }
}

function secondsBehind(lag: number | null, rate: number): number | null {
  if (lag === null) return null;
  if (lag === 0) return 0;
  return rate > 0 ? lag / rate : null;
}
