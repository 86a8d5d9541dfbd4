/**
 * Pure number helpers of the benchmark suite: percentiles, medians, rates over sampled counters and the
 * formatting used in the printed table and docs/benchmarks.md. No I/O, so they are unit-tested.
 */

/** Nearest-rank percentile (p in 0..100) of values sorted ascending; NaN for an empty list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (p <= 0) return sorted[0]!;
  if (p >= 100) return sorted[sorted.length - 1]!;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Median; the mean of the two middle values for an even count. NaN for an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export function summarizeLatencies(values: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const list = Array.from(sorted);
  return {
    count: list.length,
    p50: percentile(list, 50),
    p95: percentile(list, 95),
    p99: percentile(list, 99),
    max: list[list.length - 1] ?? Number.NaN,
  };
}

/** A counter read at time `t` (seconds since some start). */
export interface CounterSample {
  readonly t: number;
  readonly value: number;
}

/**
 * Rate of a monotonically growing counter in fixed buckets of `bucketSeconds`: for each bucket end, the
 * counter growth since the previous bucket end divided by the bucket length. The counter between two
 * samples is the last sample's value (it is only known when read).
 */
export function bucketRates(
  samples: readonly CounterSample[],
  bucketSeconds: number,
  until?: number,
): { t: number; rate: number }[] {
  if (samples.length === 0) return [];
  const end = until ?? samples[samples.length - 1]!.t;
  const out: { t: number; rate: number }[] = [{ t: 0, rate: 0 }];
  let index = 0;
  let previous = 0;
  for (let t = bucketSeconds; t <= end + bucketSeconds / 2; t += bucketSeconds) {
    while (index + 1 < samples.length && samples[index + 1]!.t <= t) index++;
    const value = samples[index]!.t <= t ? samples[index]!.value : 0;
    out.push({ t: round3(t), rate: (value - previous) / bucketSeconds });
    previous = value;
  }
  return out;
}

/** 500 ms buckets; a drain shorter than 5 s (quick mode) gets 100 ms ones so the chart has a shape. */
export function bucketFor(seconds: number): number {
  return seconds >= 5 ? 0.5 : 0.1;
}

/**
 * Commit time of each record from a partition's commit history: the first observation whose stored
 * offset (next offset to read) is beyond the record's offset. `history` is sorted by time with growing
 * offsets; returns undefined for a record never seen committed.
 */
export function commitTime(history: readonly { t: number; offset: number }[], offset: number): number | undefined {
  let lo = 0;
  let hi = history.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (history[mid]!.offset > offset) hi = mid;
    else lo = mid + 1;
  }
  return lo < history.length ? history[lo]!.t : undefined;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** 1234567 → "1,234,567". */
export function formatInt(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Ratio as "0.83×" (or "n/a"). */
export function formatRatio(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value >= 10) return `${value.toFixed(0)}×`;
  return `${value.toFixed(2)}×`;
}

export function formatPercent(value: number): string {
  return Number.isFinite(value) ? `${(value * 100).toFixed(0)} %` : 'n/a';
}

export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
}

export function formatSeconds(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)} s` : '-';
}

export function formatMb(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / (1024 * 1024)).toFixed(0)} MB` : '-';
}

/** CPU seconds per record in µs; NaN without records. */
export function microsPerRecord(cpuSeconds: number, records: number): number {
  return records > 0 ? (cpuSeconds / records) * 1e6 : Number.NaN;
}

/** Records our sink committed between its first and last commit (the window its CPU was read over). */
export function ourWindowRecords(e2e: {
  readonly steadyRate: number;
  readonly done: number;
  readonly firstCommit: number;
}): number {
  return Math.round(e2e.steadyRate * (e2e.done - e2e.firstCommit));
}
