import type { Command } from 'commander';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupIdFor, type SinkConfig } from '../../src/config/index.ts';
import { selectRows } from '../../src/mysql/pool.ts';
import { selectStoredOffsets } from '../../src/mysql/progress-sql.ts';
import { openPool } from '../tools/database.ts';
import { isAlive, readPid } from '../../src/app/pid-file.ts';
import { stackUp } from '../stack/stack.ts';
import { stackOptions } from '../stack/stack-options.ts';
import { provision } from '../tools/provision.ts';
import { formatProduceSummary, produce } from '../tools/produce.ts';
import { formatVerify, verify } from '../tools/verify.ts';
import {
  KEYED_DEMO_PARTITIONS,
  KEYED_DEMO_SETTINGS,
  KEYED_DEMO_TOPIC,
  accountEvents,
  checkAccounts,
  produceAccountEvents,
  resetKeyedDemo,
} from '../tools/keyed-demo.ts';
import { configFrom, withConfigOptions, type ConfigFlags } from '../../src/app/config-options.ts';
import { positiveNumber, oneLineUsageErrors } from '../../src/app/flag-parsers.ts';
import { projectRoot } from '../../src/app/project-root.ts';
import { defaultLogFile, startBackground, stopBackground } from '../../src/app/run-command.ts';

interface DemoFlags extends ConfigFlags {
  records: number;
  keepRunning?: boolean;
  keyed?: boolean;
  timeout: number;
}

const EXAMPLES = `
Examples:
  kms demo                    300 records per topic, as in the seed's demo
  kms demo --records 100000   a bigger run
  kms demo --keep-running     leave the sink running afterwards (status page, ./kms status, ./kms stop)
  kms demo --keyed            a keyed table: account upserts and deletes by record key, kill -9 halfway, exact table check`;

/**
 * The seed's exactly-once demonstration, end to end on the local stack: provision, start the sink in
 * the background, produce, kill the sink with SIGKILL halfway (a crash), produce the rest, restart it,
 * and prove with `verify` that every record is in the database exactly once.
 */
export function registerDemoCommand(program: Command): void {
  oneLineUsageErrors(withConfigOptions(program.command('demo')))
    .description(
      'run the exactly-once demo: stack up, provision (resets the demo topics and their tables), sink, produce, ' +
        'kill -9 halfway, restart, verify',
    )
    .option('-n, --records <n>', 'records per topic', positiveNumber, 300)
    .option('--timeout <seconds>', 'how long verify waits for the sink to catch up', positiveNumber, 180)
    .option('--keep-running', 'leave the sink running at the end')
    .option('--keyed', 'keyed-table demo: upserts and deletes (tombstones) by record key survive a kill -9')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: DemoFlags) => {
      process.exitCode = (await (flags.keyed === true ? runKeyedDemo(flags) : runDemo(flags))) ? 0 : 1;
    });
}

/**
 * What one demo does in the steps they all share (stack up, start clean, sink, first half, kill -9, the
 * rest, restart, verify): both demos crash the sink the same way, so they prove exactly-once the same way.
 */
interface DemoPlan {
  /** `--set` settings the demo's config and its sink need on top of the operator's. */
  readonly settings: readonly string[];
  readonly startCleanTitle: string;
  startClean(config: SinkConfig): Promise<void>;
  readonly firstHalfTitle: string;
  produceFirstHalf(config: SinkConfig): Promise<void>;
  produceRest(config: SinkConfig): Promise<void>;
  readonly verifyTitle: string;
  /** Checks beyond `verify`, printing what they found. */
  checkTable?(config: SinkConfig): Promise<boolean>;
  /** Printed after the sink stopped or was left running, before the verdict. */
  closingNotes?(config: SinkConfig): string;
  readonly passMessage: string;
  readonly failMessage: string;
}

async function runDemoSteps(flags: DemoFlags, plan: DemoPlan): Promise<boolean> {
  const step = (text: string): void => console.log(`\n== ${text}`);
  step('1/7 local stack');
  await stackUp(stackOptions(projectRoot()), (line) => console.log(line));
  const demoFlags = { ...flags, set: [...(flags.set ?? []), ...plan.settings] };
  const config = configFrom(demoFlags);

  step(plan.startCleanTitle);
  const pidFile = join(projectRoot(), '.run', 'demo-sink.pid');
  const background = { ...demoFlags, pidFile, logFile: defaultLogFile() };
  await stopBackground(pidFile, 30_000);
  await plan.startClean(config);

  step('3/7 start the sink in the background');
  const firstPid = await startBackground(background);

  step(plan.firstHalfTitle);
  await plan.produceFirstHalf(config);

  step('5/7 crash: kill -9 the sink while it works');
  await waitForProgress(config, 15_000);
  process.kill(firstPid, 'SIGKILL');
  while (isAlive(firstPid)) await sleep(20);
  console.log(`sink pid ${firstPid} killed with SIGKILL`);
  await plan.produceRest(config);

  step('6/7 restart the sink: it resumes from kafka_offsets');
  await stopBackground(pidFile, 1_000); // clears the stale pid file of the killed process
  await startBackground(background);

  step(plan.verifyTitle);
  const result = await verify(config, { wait: true, timeoutSeconds: flags.timeout });
  for (const line of formatVerify(result)) console.log(line);
  const tableOk = plan.checkTable === undefined ? true : await plan.checkTable(config);

  if (flags.keepRunning) {
    console.log(`\nthe sink keeps running (pid ${readPid(pidFile)}); stop it with: ./kms stop --pid-file ${pidFile}`);
  } else {
    await stopBackground(pidFile, 30_000);
    console.log('\nsink stopped (graceful)');
  }
  if (plan.closingNotes !== undefined) console.log(plan.closingNotes(config));
  const ok = result.ok && tableOk;
  console.log(ok ? plan.passMessage : plan.failMessage);
  return ok;
}

function runDemo(flags: DemoFlags): Promise<boolean> {
  const half = Math.ceil(flags.records / 2);
  return runDemoSteps(flags, {
    settings: [],
    startCleanTitle: '2/7 provision from scratch: topics, schemas, database, tables',
    // The demo's topics and tables are its own: start clean, so offsets left by an earlier run (or by a
    // Kafka cluster that has since been recreated) can not make the proof ambiguous.
    startClean: async (config) => {
      await provision(config, { reset: true, log: (line) => console.log(line) });
    },
    firstHalfTitle: `4/7 produce ${half} records per topic`,
    produceFirstHalf: async (config) => {
      console.log(formatProduceSummary(await produce(config, { records: half, progress: 'auto' })));
    },
    produceRest: async (config) => {
      const rest = flags.records - half;
      if (rest > 0) console.log(formatProduceSummary(await produce(config, { records: rest, progress: 'auto' })));
    },
    verifyTitle: '7/7 verify: Kafka end offsets = kafka_offsets = rows + dead letters, no duplicates',
    closingNotes: (config) => `where to look next:
  sink log          ${defaultLogFile()}  (JSON lines; grep Backpressure for the queue WARN lines)
  offsets           mariadb -uconsumer -p'***' -h127.0.0.1 ${config.mysql.database} -e 'select * from kafka_offsets'
  per-partition     ./kms status
  status page       http://${config.status.host}:${config.status.port}/  (while a sink runs: ./kms start)`,
    passMessage: '\nDEMO PASS: every record is in the database exactly once',
    failMessage: '\nDEMO FAIL: see the table above',
  });
}

/**
 * The keyed demo: one topic of account changes keyed by account id; the sink keeps one row per account
 * (upsert) and deletes closed ones (tombstones), is killed with SIGKILL halfway, restarted, and the table
 * is compared row by row with what the stream says, besides `verify`.
 */
function runKeyedDemo(flags: DemoFlags): Promise<boolean> {
  const events = accountEvents(0, flags.records);
  const half = Math.ceil(events.length / 2);
  const closes = events.filter((e) => e.closed).length;
  let ids: Awaited<ReturnType<typeof resetKeyedDemo>>;
  return runDemoSteps(flags, {
    settings: KEYED_DEMO_SETTINGS,
    startCleanTitle: `2/7 start clean: topic ${KEYED_DEMO_TOPIC} (${KEYED_DEMO_PARTITIONS} partitions), key and value schemas, no table`,
    startClean: async (config) => {
      ids = await resetKeyedDemo(config);
      console.log(`settings: ${KEYED_DEMO_SETTINGS.join(' ')}`);
    },
    firstHalfTitle: `4/7 produce ${half} of ${events.length} account events (${closes} of them closing an account: a tombstone)`,
    produceFirstHalf: (config) => produceAccountEvents(config, ids, events.slice(0, half)),
    produceRest: async (config) => {
      await produceAccountEvents(config, ids, events.slice(half));
      console.log(`produced the other ${events.length - half} events`);
    },
    verifyTitle: '7/7 verify offsets and dead letters, one row per key, and every row as its last event says',
    checkTable: async (config) => {
      const check = await checkAccounts(config, events);
      console.log(
        `table ${KEYED_DEMO_TOPIC}: ${check.actual} rows; the stream leaves ${check.expected} open accounts ` +
          `(${events.length} events on ${new Set(events.map((e) => e.accountId)).size} accounts)`,
      );
      for (const difference of check.differences) console.log(`  DIFFERENT: ${difference}`);
      return check.ok;
    },
    passMessage: '\nDEMO PASS: every upsert and delete applied exactly once; the table is what the stream says',
    failMessage: '\nDEMO FAIL: see above',
  });
}

/** Waits until the sink committed something, so the kill lands while it is really working. */
async function waitForProgress(config: SinkConfig, timeoutMs: number): Promise<void> {
  const pool = await openPool(config);
  const progressed = async (topic: string): Promise<boolean> => {
    const stored = await selectRows(
      pool,
      selectStoredOffsets(config.sink.offsetsTable, topic, groupIdFor(config, topic)),
    );
    return stored.some((row) => Number(row.n) > 0);
  };
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const topic of config.kafka.topics) if (await progressed(topic)) return;
      await sleep(50);
    }
  } finally {
    await pool.end();
  }
}
