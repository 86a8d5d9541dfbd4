/**
 * The benchmark suite (docs/benchmarks.md says what it measures and why). One run, one machine, every
 * figure next to the database ceiling and the seed's design measured in the same run:
 *   ceiling → seed design → end-to-end drain (+ memory) → latency → restart → scale-out.
 * `--profile` instead runs only the end-to-end drain with the sink under `node --cpu-prof`.
 *
 *   ./kms bench [--quick] [--records N] [--profile] [--only e2e,latency] [--docs] [--set key=value]
 */
import Kafka from '@confluentinc/kafka-javascript';
import { join, relative } from 'node:path';
import { projectRoot } from '../../src/app/project-root.ts';
import { BenchEnv, tuningDifferences, tuningOf } from './bench-env.ts';
import { measureClientFloor } from './client-floor.ts';
import { produceBacklog } from './e2e.ts';
import { parsePeerSets } from './peer-settings.ts';
import { databasePhases } from './phase-database.ts';
import { peerPhase } from './phase-peer.ts';
import { profilePhase } from './phase-profile.ts';
import { sinkPhases } from './phase-sink.ts';
import type { Phase } from './phases.ts';
import { findServices, machineFacts } from './proc.ts';
import type { BenchReport } from './report.ts';
import { writeOutputs } from './outputs.ts';
import { measureScaleOut } from './scale.ts';
import { warmCompileCache } from './sink-child.ts';
import { dirtyPages, settleDatabase } from './settle.ts';
import { sizesFor } from './sizes.ts';
import { formatInt } from './stats.ts';

export interface BenchOptions {
  readonly quick: boolean;
  /** End-to-end records (all topics together); default 1,000,000, quick 100,000. */
  readonly records?: number;
  /** Offered rate of the latency phase instead of half the steady drain rate (A/B at one rate). */
  readonly latencyRate?: number;
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

/** The phases after the database-only ones that write through MariaDB. */
const LATER_PHASES: readonly Phase[] = ['e2e', 'latency', 'restart', 'scale'];

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const t0 = performance.now();
  const write = options.log ?? ((line: string) => console.log(line));
  const log = (line: string): void =>
    write(line === '' ? '' : `[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${line}`);
  const sizes = sizesFor(options.quick, options.records, options.latencyRate);
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
    await warmCompileCache(env.nodeFlags);
    if (wanted('ceiling') || wanted('seed')) {
      const dirtyAtStart = await dirtyPages(env);
      await databasePhases(env, sizes, report, wanted);
      // The ceiling's million rows are still being flushed: the next drain (the peer's, or ours) must not
      // pay for them, so it starts once InnoDB's dirty pages are back where they were. Nothing to wait
      // for when no drain follows.
      const drainFollows = peerSettings !== undefined || LATER_PHASES.some(wanted);
      if (drainFollows) {
        const settled = await settleDatabase(env, dirtyAtStart, 60_000);
        log(
          `  MariaDB settled for ${settled.seconds.toFixed(0)} s after the database phases (dirty pages ${formatInt(settled.dirty)})`,
        );
      }
    }
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
    if (wanted('client')) {
      // The end-to-end records when that phase ran; a backlog of the same size otherwise.
      if ((await env.endOffsets(topics)) < sizes.records) await produceBacklog(env, topics, sizes.records);
      log(`client: the Kafka client alone consumes ${formatInt(sizes.records)} records (fresh groups, nothing kept)`);
      report.clientFloor = await measureClientFloor(env, topics, sizes.records);
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
  const toDocs =
    options.docs ??
    (!options.quick &&
      options.only === undefined &&
      options.records === undefined &&
      options.latencyRate === undefined);
  writeOutputs(env, report, toDocs, log, write);
  return report;
}
