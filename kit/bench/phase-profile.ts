/** `--profile`: the end-to-end drain only, with the sink under `node --cpu-prof`, summarised by category. */
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../../src/app/project-root.ts';
import type { BenchEnv } from './bench-env.ts';
import { summarizeProfile, type CpuProfile } from './cpu-profile.ts';
import { runEndToEnd } from './e2e.ts';
import type { BenchReport } from './report.ts';
import type { Sizes } from './sizes.ts';
import { formatInt } from './stats.ts';

export async function profilePhase(
  env: BenchEnv,
  topics: string[],
  sizes: Sizes,
  report: BenchReport,
  children: Set<{ kill(): void }>,
): Promise<void> {
  const dir = join(env.outDir, 'profile');
  mkdirSync(dir, { recursive: true });
  env.log(`profile: producing ${formatInt(sizes.records)} records, then a cold sink under --cpu-prof drains them`);
  const { result, sink } = await runEndToEnd(env, topics, {
    records: sizes.records,
    name: 'profile',
    timeoutMs: sizes.drainTimeoutMs,
    nodeFlags: [...env.nodeFlags, '--cpu-prof', `--cpu-prof-dir=${dir}`],
  });
  children.add(sink);
  const code = await sink.stop();
  children.delete(sink);
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`the profiled sink (exit code ${code}) wrote no .cpuprofile into ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const summary = summarizeProfile(profile, result.windowUs);
  report.profile = {
    summary,
    cpu: result.cpu,
    records: result.records,
    rate: result.steadyRate,
    file: relative(projectRoot(), join(dir, file)),
  };
  env.log(
    `  ${formatInt(result.records)} records at ${formatInt(result.steadyRate)} rec/s (profiled); main thread by category:`,
  );
  for (const category of summary.categories)
    env.log(`    ${(category.share * 100).toFixed(1).padStart(5)} %  ${category.name}`);
}
