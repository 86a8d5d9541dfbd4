/**
 * The benchmark's results: the report every phase fills in, the targets, and the one summary table
 * (terminal and docs/benchmarks.md; the rest of the document comes from report-docs.ts). Pure.
 */
import type { ProfileSummary } from './cpu-profile.ts';
import type { CpuShare, E2eResult } from './e2e.ts';
import type { LatencyResult } from './latency.ts';
import type { ClientFloorResult } from './client-floor.ts';
import type { PeerResult } from './peer-result.ts';
import type { MachineFacts } from './proc.ts';
import type { RestartRun } from './restart.ts';
import type { ScaleRun } from './scale.ts';
import type { WriterRunResult } from './db-writers.ts';
import { formatInt, formatMb, formatMs, formatPercent, formatRatio, formatSeconds, median } from './stats.ts';

export const TARGETS = {
  ceilingShare: 0.7,
  seedMultiple: 20,
  rssBytes: 256 * 1024 * 1024,
  p99Ms: 250,
  restartSeconds: 5,
} as const;

export interface BenchReport {
  readonly mode: 'quick' | 'full';
  readonly profileMode: boolean;
  readonly runId: string;
  readonly startedAt: string;
  seconds: number;
  readonly machine: MachineFacts & { mariadb: string; kafka: string; librdkafka: string };
  loadAfter?: readonly number[];
  readonly settings: Readonly<Record<string, string>>;
  readonly nonDefault: readonly string[];
  readonly records: number;
  ceiling?: WriterRunResult;
  ceilingPlain?: WriterRunResult;
  seed?: WriterRunResult;
  e2e?: Omit<E2eResult, 'rssSeries'>;
  latency?: LatencyResult;
  restarts?: readonly RestartRun[];
  scale?: readonly ScaleRun[];
  /** The Kafka client alone on the same records (`client` phase). */
  clientFloor?: readonly ClientFloorResult[];
  /** Kafka Connect + Debezium's JDBC sink on the same records (`--peer`). */
  peer?: PeerResult;
  profile?: {
    readonly summary: ProfileSummary;
    readonly cpu: CpuShare | undefined;
    readonly records: number;
    readonly rate: number;
    readonly file: string;
  };
  readonly notes: string[];
}

export interface TableRow {
  readonly measure: string;
  readonly value: string;
  readonly comparison: string;
  readonly target: string;
  readonly met: string;
}

const rate = (value: number): string => `${formatInt(value)} rec/s`;
const verdict = (ok: boolean): string => (ok ? 'yes' : 'NO');

export function tableRows(report: BenchReport): TableRow[] {
  const rows: TableRow[] = [];
  const { ceiling, ceilingPlain, seed, e2e, latency, restarts, scale } = report;
  const c = ceiling?.recordsPerSecond ?? Number.NaN;
  const s = seed?.recordsPerSecond ?? Number.NaN;
  if (ceiling) {
    rows.push({
      measure: `DB ceiling: ${ceiling.writers} writers, ${formatInt(ceiling.batch)} rows/tx, fence UPDATE + INSERT`,
      value: rate(c),
      comparison: 'reference (1.00×)',
      target: '',
      met: '',
    });
  }
  if (ceilingPlain) {
    rows.push({
      measure: `DB ceiling variant: INSERT + COMMIT only (no offset row)`,
      value: rate(ceilingPlain.recordsPerSecond),
      comparison: `${formatRatio(ceilingPlain.recordsPerSecond / c)} ceiling`,
      target: '',
      met: '',
    });
  }
  if (seed) {
    rows.push({
      measure: `Seed design: 1 record/tx with offset UPDATE, ${seed.writers} writers (${formatInt(seed.records)} rec)`,
      value: rate(s),
      comparison: `${formatPercent(s / c)} of ceiling`,
      target: '',
      met: '',
    });
  }
  if (e2e) {
    const share = e2e.coldRate / c;
    const multiple = e2e.coldRate / s;
    const judged = Number.isFinite(share) && Number.isFinite(multiple);
    rows.push({
      measure: `End-to-end exactly-once, ${formatInt(e2e.records)} rec, cold start → all committed`,
      value: rate(e2e.coldRate),
      comparison: `${formatPercent(share)} of ceiling, ${formatRatio(multiple)} seed`,
      target: `≥ ${formatPercent(TARGETS.ceilingShare)} of ceiling, ≥ ${TARGETS.seedMultiple}× seed`,
      met: judged ? verdict(share >= TARGETS.ceilingShare && multiple >= TARGETS.seedMultiple) : 'n/a',
    });
    rows.push({
      measure: 'End-to-end, steady drain (first → last commit)',
      value: rate(e2e.steadyRate),
      comparison: `${formatPercent(e2e.steadyRate / c)} of ceiling, ${formatRatio(e2e.steadyRate / s)} seed`,
      target: '',
      met: '',
    });
    rows.push({
      measure: `Exactly-once check (verify) after the drain`,
      value: e2e.verifyOk ? 'PASS' : 'FAIL',
      comparison: e2e.verifyText,
      target: 'PASS',
      met: verdict(e2e.verifyOk),
    });
    rows.push({
      measure: `Peak RSS of the sink draining ${formatInt(e2e.records)} rec (VmHWM)`,
      value: formatMb(e2e.peakRss),
      comparison: `max sampled VmRSS ${formatMb(e2e.maxSampledRss)}`,
      target: `≤ ${formatMb(TARGETS.rssBytes)}`,
      met: verdict(e2e.peakRss <= TARGETS.rssBytes),
    });
  }
  if (latency) {
    rows.push({
      measure: `Latency produce → commit at ${formatInt(latency.offeredRate)} rec/s offered (${latency.offeredAs === 'fixed' ? 'fixed' : '½ max'}), ${latency.seconds.toFixed(0)} s`,
      value: `p50 ${formatMs(latency.p50)} / p95 ${formatMs(latency.p95)} / p99 ${formatMs(latency.p99)}`,
      comparison: `${formatInt(latency.count)} records, max ${formatMs(latency.max)}`,
      target: `p99 ≤ ${TARGETS.p99Ms} ms`,
      met: latency.offeredAs === 'fixed' ? 'n/a' : verdict(latency.p99 <= TARGETS.p99Ms && latency.uncommitted === 0),
    });
  }
  if (restarts && restarts.length > 0) {
    const m = median(restarts.map((r) => r.firstCommit));
    rows.push({
      measure: `Restart → first committed batch, backlog present (median of ${restarts.length})`,
      value: formatSeconds(m),
      comparison: `runs: ${restarts.map((r) => r.firstCommit.toFixed(2)).join(', ')} s`,
      target: `≤ ${TARGETS.restartSeconds} s`,
      met: verdict(m <= TARGETS.restartSeconds),
    });
  }
  if (scale && scale.length > 0) {
    const one = scale.find((r) => r.instances === 1);
    for (const run of scale) {
      const ratio = one && run !== one ? `${formatRatio(run.rate / one.rate)} of 1 instance` : 'reference';
      rows.push({
        measure: `Scale-out: ${run.instances} instance${run.instances === 1 ? '' : 's'}, ${formatInt(run.records)} rec, same groups`,
        value: rate(run.rate),
        comparison: `${ratio}; verify ${run.verifyOk ? 'PASS' : 'FAIL'}`,
        target: run.instances > 1 ? 'not worse (≥ 0.9×), no duplicates' : 'no duplicates',
        met: run.instances > 1 && one ? verdict(run.verifyOk && run.rate >= 0.9 * one.rate) : verdict(run.verifyOk),
      });
    }
  }
  return rows;
}
