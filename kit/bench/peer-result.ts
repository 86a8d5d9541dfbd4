/** What the peer phase measured, and the arithmetic that turns its progress samples into rates. Pure. */
import type { CpuShare } from './e2e.ts';
import type { OffsetSnapshot } from './offset-watch.ts';
import { bucketFor, bucketRates, type CounterSample } from './stats.ts';

export interface PeerResult {
  readonly settings: readonly string[];
  readonly connectorConfig: Readonly<Record<string, string>>;
  readonly records: number;
  /** Seconds after the worker's spawn. */
  readonly startup: { readonly ready: number; readonly connectorCreated: number; readonly tasksRunning: number };
  readonly firstRow: number;
  readonly done: number;
  readonly coldRate: number;
  readonly steadyRate: number;
  /** Rows committed between the first and the last reading (the CPU window). */
  readonly windowRecords: number;
  readonly series: readonly { t: number; rate: number }[];
  readonly cpu: CpuShare;
  readonly peakRss: number;
  readonly tables: readonly { readonly table: string; readonly rows: number; readonly expected: number }[];
  readonly verifyOk: boolean;
  readonly verifyText: string;
}

export type Drain = Pick<
  PeerResult,
  'firstRow' | 'done' | 'coldRate' | 'steadyRate' | 'windowRecords' | 'series' | 'cpu'
>;

/** Rates of a drain from its progress samples; times in seconds since the spawn. Pure. */
export function drainFigures(
  samples: readonly CounterSample[],
  first: Pick<OffsetSnapshot, 't' | 'sum'>,
  last: Pick<OffsetSnapshot, 't' | 'sum'>,
  cpu: CpuShare,
): Drain {
  const windowRecords = last.sum - first.sum;
  return {
    firstRow: first.t,
    done: last.t,
    coldRate: last.t > 0 ? last.sum / last.t : Number.NaN,
    steadyRate: last.t > first.t ? windowRecords / (last.t - first.t) : Number.NaN,
    windowRecords,
    series: bucketRates(samples, bucketFor(last.t), last.t),
    cpu,
  };
}
