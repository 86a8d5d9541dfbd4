/** The phases that run the sink itself: end-to-end drain (+ memory), latency under load, graceful restarts. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProduceResult } from '../tools/produce.ts';
import type { BenchEnv } from './bench-env.ts';
import { runEndToEnd } from './e2e.ts';
import { measureLatency } from './latency.ts';
import type { Wanted } from './phase-database.ts';
import type { BenchReport } from './report.ts';
import { measureRestarts } from './restart.ts';
import type { Sizes } from './sizes.ts';
import { formatInt } from './stats.ts';

export async function sinkPhases(
  env: BenchEnv,
  topics: string[],
  sizes: Sizes,
  report: BenchReport,
  wanted: Wanted,
  children: Set<{ kill(): void }>,
  produced?: ProduceResult,
): Promise<void> {
  env.log(
    produced === undefined
      ? `end-to-end: producing ${formatInt(sizes.records)} records, then a cold sink drains them`
      : `end-to-end: a cold sink drains the same ${formatInt(produced.records)} records`,
  );
  const { result, sink } = await runEndToEnd(env, topics, {
    records: sizes.records,
    name: 'e2e',
    timeoutMs: sizes.drainTimeoutMs,
    ...(produced === undefined ? {} : { produced }),
  });
  children.add(sink);
  const { rssSeries: _rss, ...e2e } = result;
  report.e2e = e2e;
  writeFileSync(
    join(env.outDir, 'e2e-series.json'),
    JSON.stringify({ throughput: result.series, rss: result.rssSeries }),
  );
  env.log(
    `  ${formatInt(result.records)} records committed ${result.done.toFixed(2)} s after spawn: ` +
      `${formatInt(result.coldRate)} rec/s cold, ${formatInt(result.steadyRate)} rec/s steady; ` +
      `peak RSS ${(result.peakRss / 2 ** 20).toFixed(0)} MB; ${result.verifyText}`,
  );
  try {
    if (wanted('latency')) {
      const rate = sizes.latencyRate ?? Math.max(100, Math.round(result.steadyRate / 2));
      env.log(`latency: ${formatInt(rate)} rec/s offered for ${sizes.latencySeconds} s`);
      const measured = await measureLatency(env, topics, sink.pid, rate, sizes.latencySeconds);
      report.latency = { ...measured, offeredAs: sizes.latencyRate === undefined ? 'half-max' : 'fixed' };
      env.log(
        `  p50 ${report.latency.p50.toFixed(1)} ms, p95 ${report.latency.p95.toFixed(1)} ms, p99 ` +
          `${report.latency.p99.toFixed(1)} ms over ${formatInt(report.latency.count)} records`,
      );
    }
  } finally {
    const code = await sink.stop();
    children.delete(sink);
    if (code !== 0)
      report.notes.push(
        `the end-to-end sink exited with code ${code} on SIGTERM (log kit/bench/out/${env.runId}/e2e.log)`,
      );
  }
  if (wanted('restart')) {
    env.log(
      `restart: ${sizes.restartRuns} graceful restarts with a backlog of at least ${formatInt(sizes.restartBacklog)} records`,
    );
    report.restarts = await measureRestarts(env, topics, sizes.restartRuns, sizes.restartBacklog);
  }
}
