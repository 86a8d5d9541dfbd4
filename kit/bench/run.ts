/**
 * The benchmark suite (docs/benchmarks.md says what it measures and why). One run, one machine, every
 * figure next to the database ceiling and the seed's design measured in the same run:
 *   ceiling → seed design → end-to-end drain (+ memory) → latency → restart → scale-out.
 * `--profile` instead runs only the end-to-end drain with the sink under `node --cpu-prof`.
 *
 *   ./kms bench [--quick] [--records N] [--profile] [--only e2e,latency] [--docs] [--set key=value]
 */
import Kafka from '@confluentinc/kafka-javascript';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../../src/app/project-root.ts';
import { BenchEnv, tuningDifferences, tuningOf } from './bench-env.ts';
import { summarizeProfile, type CpuProfile } from './cpu-profile.ts';
import { generateRows, runWriters } from './db-writers.ts';
import { produceBacklog, runEndToEnd } from './e2e.ts';
import { preparePeer, runPeer } from './peer.ts';
import { describePeerSettings, parsePeerSets, type PeerSettings } from './peer-settings.ts';
import { dirtyPages, settleDatabase } from './settle.ts';
import type { ProduceResult } from '../tools/produce.ts';
import { measureLatency } from './latency.ts';
import { findServices, machineFacts } from './proc.ts';
import type { BenchReport } from './report.ts';
import { writeOutputs } from './outputs.ts';
import { measureRestarts } from './restart.ts';
import { measureScaleOut } from './scale.ts';
import { formatInt } from './stats.ts';

import type { Phase } from './phases.ts';

export interface BenchOptions {
  readonly quick: boolean;
  /** End-to-end records (all topics together); default 1,000,000, quick 100,000. */
  readonly records?: number;
  readonly profile: boolean;
  readonly only?: readonly Phase[];
  /** Write docs/benchmarks.md and the chart (default: full runs only). */
  readonly docs?: boolean;
  readonly file?: string;
  readonly sets: readonly string[];
  /** Extra node/V8 flags for every sink process (e.g. --max-semi-space-size=16). */
  readonly sinkNodeFlags?: readonly string[];
  /** Also measure the peer (Kafka Connect + Debezium's JDBC sink) on the end-to-end records. */
  readonly peer?: boolean;
  /** `--peer-set` overrides of the peer's configuration (peer-settings.ts). */
  readonly peerSets?: readonly string[];
  readonly log?: (line: string) => void;
}

interface Sizes {
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

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const t0 = performance.now();
  const write = options.log ?? ((line: string) => console.log(line));
  const log = (line: string): void =>
    write(line === '' ? '' : `[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${line}`);
  const sizes = sizesFor(options.quick, options.records);
  const wanted = (phase: Phase): boolean =>
    !options.profile &&
    (phase === 'peer'
      ? options.peer === true || options.only?.includes('peer') === true
      : options.only === undefined || options.only.includes(phase));
  // Bad --peer-set input fails before anything is created.
  const peerSettings = wanted('peer') ? parsePeerSets(options.peerSets ?? []) : undefined;
  const root = projectRoot();
  const env = new BenchEnv({
    ...(options.file === undefined ? {} : { file: options.file }),
    sets: options.sets,
    nodeFlags: options.sinkNodeFlags ?? [],
    outDir: join(root, 'kit', 'bench', 'out'),
    log,
  });
  const started = performance.now();
  const topics = env.topicsOf('');
  const config = env.config(topics);
  const services = findServices(Number(config.kafka.bootstrapServers[0]?.split(':')[1] ?? 9092), config.mysql.port);
  const report: BenchReport = {
    mode: options.quick ? 'quick' : 'full',
    profileMode: options.profile,
    runId: env.runId,
    startedAt: new Date().toISOString(),
    seconds: 0,
    machine: {
      ...machineFacts(),
      mariadb: await env.serverVersion(),
      kafka: services.kafkaVersion ?? 'unknown (not a local process)',
      librdkafka: Kafka.librdkafkaVersion,
    },
    settings: tuningOf(config),
    nonDefault: [...tuningDifferences(config), ...(options.sinkNodeFlags ?? []).map((flag) => `node ${flag}`)],
    records: sizes.records,
    notes: [],
  };
  log(
    `bench ${env.runId}: ${report.mode}${options.profile ? ' profile' : ''} mode, database ${env.database}, ` +
      `topics ${topics.join(', ')}; output in ${relative(root, env.outDir)}`,
  );

  // Ctrl-C: stop the children and clean up before leaving.
  const children = new Set<{ kill(): void }>();
  const onSignal = (): void => {
    log('interrupted: cleaning up');
    for (const child of children) child.kill();
    void env.cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await env.createTopicSet('');
    log('topics, schemas and tables provisioned');
    if (wanted('ceiling') || wanted('seed')) await databasePhases(env, sizes, report, wanted);
    const produced = peerSettings === undefined ? undefined : await peerPhase(env, topics, sizes, report, peerSettings);
    if (options.profile) await profilePhase(env, topics, sizes, report, children);
    else if (wanted('e2e') || wanted('latency') || wanted('restart'))
      await sinkPhases(env, topics, sizes, report, wanted, children, produced);
    if (wanted('scale')) {
      report.scale = [];
      for (const instances of [1, 2]) {
        log(`scale-out: ${instances} instance(s) draining ${formatInt(sizes.scaleRecords)} records`);
        report.scale = [
          ...report.scale,
          await measureScaleOut(env, instances, sizes.scaleRecords, sizes.drainTimeoutMs),
        ];
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const child of children) child.kill();
    log('cleaning up: dropping the database, deleting the topics');
    await env.cleanup();
    log('cleaned up');
  }
  report.seconds = (performance.now() - started) / 1000;
  report.loadAfter = machineFacts().loadAverage;
  const toDocs = options.docs ?? (!options.quick && options.only === undefined && options.records === undefined);
  writeOutputs(env, report, toDocs, log, write);
  return report;
}

type Wanted = (phase: Phase) => boolean;

async function databasePhases(env: BenchEnv, sizes: Sizes, report: BenchReport, wanted: Wanted): Promise<void> {
  const config = env.config(env.topicsOf(''));
  const perPartition = Math.ceil(sizes.records / 9);
  env.log(`database ceiling: generating ${formatInt(perPartition * 9)} rows (3 tables × 3 partitions)`);
  const rows = generateRows(config, perPartition);
  if (wanted('ceiling')) {
    // Two alternating rounds, the faster of each kept: a ceiling is the best the database did, and
    // alternating spreads InnoDB's background work (purge, flushing after the DROPs) over both shapes.
    const batch = config.sink.batchMaxRecords;
    for (let round = 1; round <= 2; round++) {
      const fenced = await runWriters(config, rows, { label: 'ceiling', shape: 'fenced', batch, perPartition });
      const plain = await runWriters(config, rows, { label: 'plain', shape: 'plain', batch, perPartition });
      env.log(
        `  round ${round}: lock + insert + offset update ${formatInt(fenced.recordsPerSecond)} rec/s ` +
          `(${fenced.seconds.toFixed(1)} s), ` +
          `insert + commit ${formatInt(plain.recordsPerSecond)} rec/s (${plain.seconds.toFixed(1)} s)`,
      );
      if (report.ceiling === undefined || fenced.recordsPerSecond > report.ceiling.recordsPerSecond)
        report.ceiling = fenced;
      if (report.ceilingPlain === undefined || plain.recordsPerSecond > report.ceilingPlain.recordsPerSecond)
        report.ceilingPlain = plain;
    }
  }
  if (wanted('seed')) {
    env.log(
      `seed design: one transaction per record, up to ${formatInt(sizes.seedRecords)} records or ${sizes.seedMaxSeconds} s`,
    );
    report.seed = await runWriters(config, rows, {
      label: 'seed',
      shape: 'fenced',
      batch: 1,
      perPartition: Math.ceil(sizes.seedRecords / 9),
      maxSeconds: sizes.seedMaxSeconds,
    });
    env.log(
      `  ${formatInt(report.seed.recordsPerSecond)} rec/s (${formatInt(report.seed.records)} records in ` +
        `${report.seed.seconds.toFixed(1)} s)`,
    );
  }
}

/**
 * The peer drains the end-to-end backlog first (produced here), into its own database; the sink under test
 * then drains the very same records. Between the two, MariaDB gets time to flush what the peer wrote.
 */
async function peerPhase(
  env: BenchEnv,
  topics: string[],
  sizes: Sizes,
  report: BenchReport,
  settings: PeerSettings,
): Promise<ProduceResult> {
  env.log(
    `peer: producing ${formatInt(sizes.records)} records, then Kafka Connect + Debezium's JDBC sink drains them (${describePeerSettings(settings).join(', ')})`,
  );
  await preparePeer(env, settings);
  const produced = await produceBacklog(env, topics, sizes.records);
  const target = await env.endOffsets(topics);
  const dirtyBefore = await dirtyPages(env);
  const peer = await runPeer(env, topics, { settings, target, timeoutMs: sizes.drainTimeoutMs });
  report.peer = peer;
  writeFileSync(join(env.outDir, 'peer-series.json'), JSON.stringify({ throughput: peer.series }));
  env.log(
    `  ${formatInt(peer.records)} rows committed ${peer.done.toFixed(2)} s after the worker's spawn (first row ${peer.firstRow.toFixed(2)} s): ` +
      `${formatInt(peer.coldRate)} rec/s cold, ${formatInt(peer.steadyRate)} rec/s steady; peak RSS ${(peer.peakRss / 2 ** 20).toFixed(0)} MB; ${peer.verifyText}`,
  );
  const settled = await settleDatabase(env, dirtyBefore, 60_000);
  env.log(`  MariaDB settled for ${settled.seconds.toFixed(0)} s (dirty pages ${formatInt(settled.dirty)})`);
  return produced;
}

async function sinkPhases(
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
      const rate = Math.max(100, Math.round(result.steadyRate / 2));
      env.log(`latency: ${formatInt(rate)} rec/s offered for ${sizes.latencySeconds} s`);
      report.latency = await measureLatency(env, topics, sink.pid, rate, sizes.latencySeconds);
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

async function profilePhase(
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
