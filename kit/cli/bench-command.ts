import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PHASES, type Phase } from '../bench/phases.ts';
import { withConfigOptions, type ConfigFlags } from '../../src/app/config-options.ts';
import { oneLineUsageErrors, wholeNumber } from '../../src/app/flag-parsers.ts';
import { projectRoot } from '../../src/app/project-root.ts';

interface BenchFlags extends ConfigFlags {
  quick?: boolean;
  records?: number;
  latencyRate?: number;
  profile?: boolean;
  only?: Phase[];
  docs?: boolean;
  nodeFlag?: string[];
  peer?: boolean;
  peerSet?: string[];
}

const EXAMPLES = `
Examples:
  kms bench                      full run (1,000,000 records, < 20 min); writes docs/benchmarks.md + chart
  kms bench --quick              100,000 records, < 3 min; results in kit/bench/out/<run>/
  kms bench --profile --quick    end-to-end drain under node --cpu-prof: where the sink's time goes
  kms bench --quick --only e2e --set sink.batch.max.records=5000     A/B one setting
  kms bench --quick --only e2e --node-flag=--max-semi-space-size=16  A/B a V8 flag of the sink process
  kms bench --peer               the full run plus the peer: Kafka Connect + Debezium's JDBC sink on the same records
  kms bench --quick --only peer,e2e --peer-set tasks=3 --peer-set batch.size=default   try a peer configuration

Every run uses its own database kms_bench_<run> and topics bench_<run>_dataset1..3 (dropped afterwards).
--set applies to the sink under test and to the database-only writers (batch size, pool size).
The peer's worker listens on KMS_CONNECT_PORT (default 8083); its first run gathers Kafka Connect and the
plugins from Maven Central into .stack/connect/ (cached in ~/.m2).`;

function phaseList(text: string): Phase[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !(PHASES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0)
    throw new InvalidArgumentError(`expected phases from ${PHASES.join(', ')}`);
  return names as Phase[];
}

export function registerBenchCommand(program: Command): void {
  oneLineUsageErrors(withConfigOptions(program.command('bench')))
    .description(
      'measure throughput against the database ceiling and the seed design, memory, latency, restart, scale-out',
    )
    .option('--quick', 'small run (100,000 records) for development; numbers are indicative')
    .option(
      '--records <n>',
      'end-to-end records over all topics (default 1,000,000; quick 100,000)',
      wholeNumber(9, 100_000_000),
    )
    .option(
      '--latency-rate <n>',
      'records per second the latency phase offers (default: half the steady drain rate); A/B a setting at one rate',
      wholeNumber(100, 10_000_000),
    )
    .option(
      '--profile',
      'only the end-to-end drain, with the sink under node --cpu-prof; summarises where its time goes',
    )
    .option('--only <phases>', `comma-separated subset of ${PHASES.join(', ')}`, phaseList)
    .option('--docs', 'write docs/benchmarks.md and docs/benchmarks-throughput.svg (default for a full run)')
    .option('--no-docs', 'keep the results in kit/bench/out/<run>/ only')
    .option(
      '--node-flag <flag>',
      'extra node/V8 flag for the sink processes (repeatable), e.g. --node-flag=--max-semi-space-size=16',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--peer', "also measure the peer (Kafka Connect + Debezium's JDBC sink) on the end-to-end records")
    .option(
      '--peer-set <key=value>',
      'peer setting (repeatable): tasks, batch.size, max.poll.records (a number or "default"), heap, decode.key, tls (true, false or "default": as the sink), connector.<property>, worker.<property>',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .addHelpText('after', EXAMPLES)
    .action(async (flags: BenchFlags) => {
      // Same file as every other command reads, passed on explicitly to the sink processes it starts.
      const fallback = join(projectRoot(), 'config', 'sink.properties');
      const file = flags.config ?? (existsSync(fallback) ? fallback : undefined);
      // Loaded on use: every `kms` command imports this file, and `kms run` start-up time is measured.
      const { runBench } = await import('../bench/run.ts');
      const report = await runBench({
        quick: flags.quick === true,
        profile: flags.profile === true,
        sets: flags.set ?? [],
        ...(file === undefined ? {} : { file }),
        ...(flags.records === undefined ? {} : { records: flags.records }),
        ...(flags.latencyRate === undefined ? {} : { latencyRate: flags.latencyRate }),
        ...(flags.only === undefined ? {} : { only: flags.only }),
        ...(flags.docs === undefined ? {} : { docs: flags.docs }),
        ...(flags.nodeFlag === undefined ? {} : { sinkNodeFlags: flags.nodeFlag }),
        ...(flags.peer === undefined ? {} : { peer: flags.peer }),
        ...(flags.peerSet === undefined ? {} : { peerSets: flags.peerSet }),
      });
      const failed = (report.e2e && !report.e2e.verifyOk) || (report.scale ?? []).some((run) => !run.verifyOk);
      if (failed) {
        console.error('kms: bench: exactly-once verification FAILED (see the table above)');
        process.exitCode = 1;
      } else if (report.peer && !report.peer.verifyOk) {
        console.error(`kms: bench peer: row count check FAILED (${report.peer.verifyText})`);
        process.exitCode = 1;
      }
    });
}
