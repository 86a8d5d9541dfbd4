/** How much each bench phase does: a full run, or a quick one (--quick) that still shows every phase. */
export interface Sizes {
  readonly records: number;
  readonly seedRecords: number;
  readonly seedMaxSeconds: number;
  readonly latencySeconds: number;
  readonly restartRuns: number;
  readonly restartBacklog: number;
  readonly scaleRecords: number;
  readonly drainTimeoutMs: number;
}

export function sizesFor(quick: boolean, records?: number): Sizes {
  const n = records ?? (quick ? 100_000 : 1_000_000);
  return quick
    ? {
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
