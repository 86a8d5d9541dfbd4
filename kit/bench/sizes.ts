/** How much each bench phase does: a full run, or a quick one (--quick) that still shows every phase. */
export interface Sizes {
  readonly records: number;
  readonly seedRecords: number;
  readonly seedMaxSeconds: number;
  readonly latencySeconds: number;
  /** Offered rate of the latency phase; undefined: half the end-to-end steady drain rate. */
  readonly latencyRate?: number;
  readonly restartRuns: number;
  readonly restartBacklog: number;
  readonly scaleRecords: number;
  readonly drainTimeoutMs: number;
}

export function sizesFor(quick: boolean, records?: number, latencyRate?: number): Sizes {
  const n = records ?? (quick ? 100_000 : 1_000_000);
  const rate = latencyRate === undefined ? {} : { latencyRate };
  return quick
    ? {
        ...rate,
        records: n,
        seedRecords: 6_000,
        seedMaxSeconds: 12,
        latencySeconds: 10,
        restartRuns: 3,
        restartBacklog: 30_000,
        scaleRecords: Math.min(n, 100_000),
        drainTimeoutMs: 180_000,
      }
    : {
        ...rate,
        records: n,
        seedRecords: 20_000,
        seedMaxSeconds: 90,
        latencySeconds: 25,
        restartRuns: 3,
        restartBacklog: 150_000,
        scaleRecords: Math.min(n, 500_000),
        drainTimeoutMs: 900_000,
      };
}
