/**
 * The peer: what people would pick instead of us, Kafka Connect + Debezium's JDBC sink (at-least-once),
 * draining the same pre-produced records as the end-to-end phase into a database of its own. Measured as
 * the sink is: from the worker's spawn (cold) and from its first to its last committed row (steady), CPU of
 * the worker and of MariaDB over that window from /proc, the worker's peak RSS, then the rows per table.
 *
 * Progress is read from the peer's tables: with `primary.key.mode=kafka` every row carries its partition
 * and offset, and a task writes a partition in offset order, so MAX(offset) + 1 per partition is the count
 * of committed records (an index lookup per partition, as cheap as our kafka_offsets poll).
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from '../../src/app/project-root.ts';
import { isAlive } from '../../src/app/pid-file.ts';
import { SinkError, describeError } from '../../src/core/errors.ts';
import { withMetadataClient } from '../../src/kafka/metadata-client.ts';
import { createDatabase, dropDatabase } from '../../src/mysql/ddl.ts';
import { isNoSuchTable } from '../../src/mysql/errno.ts';
import { countRows as countRowsSql, selectConnectSinkProgress } from '../../src/mysql/progress-sql.ts';
import { type Connection, connect as connectDb, execute, selectRows, sinkLogin } from '../../src/mysql/pool.ts';
import { connectOptions, type ConnectOptions, workerGroup } from '../connect/connect-options.ts';
import { jdbcSinkConfig, mariadbUrl, redacted, registryV2From } from '../connect/connector-configs.ts';
import { type RunningWorker, prepareWorker, startWorker, stopWorker } from '../connect/connect-worker.ts';
import { stackOptions } from '../stack/stack-options.ts';
import { TopicAdmin } from '../tools/kafka-topics.ts';
import type { BenchEnv } from './bench-env.ts';
import { type CpuReading, cpuReading, cpuShare } from './e2e.ts';
import { OffsetWatch, type OffsetSnapshot } from './offset-watch.ts';
import { describePeerSettings, type PeerSettings, peerUsesTls } from './peer-settings.ts';
import { memoryOf } from './proc.ts';
import type { CounterSample } from './stats.ts';
import { type Drain, type PeerResult, drainFigures } from './peer-result.ts';

export interface PeerOptions {
  readonly settings: PeerSettings;
  /** Sum of the topics' end offsets: the drain is done when that many rows are committed. */
  readonly target: number;
  readonly timeoutMs: number;
}

/** Runs the peer on `topics` and always stops its worker and drops its database before returning. */
export async function runPeer(env: BenchEnv, topics: readonly string[], options: PeerOptions): Promise<PeerResult> {
  const config = env.config(topics);
  const database = `${env.database}_peer`;
  const connect = peerConnectOptions(env, options.settings);
  await preparePeer(env, options.settings);
  const admin = await env.connection();
  const stopDrain = new AbortController();
  let worker: RunningWorker | undefined;
  try {
    await execute(admin, createDatabase(database));
    const connectorConfig = jdbcSinkConfig({
      topics,
      connectionUrl: mariadbUrl(config.mysql.host, config.mysql.port, database, {
        tls: peerUsesTls(options.settings, config.mysql.ssl.mode),
      }),
      user: config.mysql.user,
      password: config.mysql.password,
      registryV2Url: registryV2From(config.kafka.schemaRegistryUrl),
      tasks: options.settings.tasks,
      ...(options.settings.batchSize === undefined ? {} : { batchSize: options.settings.batchSize }),
      ...(options.settings.maxPollRecords === undefined ? {} : { maxPollRecords: options.settings.maxPollRecords }),
      decodeKey: options.settings.decodeKey,
      extra: options.settings.connector,
    });
    env.log(`  starting a Kafka Connect worker (log ${connect.dir}/connect.log)`);
    worker = await step('starting the worker', () => startWorker(connect));
    const running = worker;
    const origin = running.spawnedAt ?? performance.now();
    const since = (at: number): number => (at - origin) / 1000;
    const name = `peer-${env.runId}`;
    await step('creating the connector', () => running.rest.putConnector(name, connectorConfig));
    const connectorCreated = since(performance.now());
    const drain = watchRows(env, running, name, database, topics, options, origin, stopDrain.signal);
    drain.catch(() => undefined); // awaited below; a failure before that is reported by the step that failed
    await step('starting the connector', () =>
      Promise.race([running.rest.waitRunning(name, options.settings.tasks, 60_000), drain.then(() => undefined)]),
    );
    const tasksRunning = since(performance.now());
    const result = await step('draining', () => drain);
    const peakRss = memoryOf(running.pid)?.hwm ?? Number.NaN;
    const tables = await countRows(env, database, topics, await env.endOffsetsPerTopic(topics));
    const verifyOk = tables.every((t) => t.rows === t.expected);
    return {
      settings: describePeerSettings(options.settings, config.mysql.ssl.mode),
      connectorConfig: redacted(connectorConfig),
      records: options.target,
      startup: { ready: since(running.readyAt), connectorCreated, tasksRunning },
      ...result,
      peakRss,
      tables,
      verifyOk,
      verifyText: `${verifyOk ? 'PASS' : 'FAIL'}: ${tables.map((t) => `${t.rows}/${t.expected}`).join(', ')} rows per table`,
    };
  } finally {
    stopDrain.abort();
    if (worker !== undefined) await worker.rest.deleteConnector(`peer-${env.runId}`).catch(() => undefined);
    await stopWorker(connect);
    await execute(admin, dropDatabase(database)).catch(() => undefined);
    await admin.end().catch(() => undefined);
    await deleteWorkerTopics(env, topics, connect);
  }
}

/** A failed step of the peer as one line: `bench peer: <step>: <why>; log: <file>`. */
async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new SinkError('STACK_FAILED', `bench peer: ${name}: ${describeError(error)}`);
  }
}

/** Gathers Kafka Connect and the plugins (cached after the first run): done before producing, to fail fast. */
export async function preparePeer(env: BenchEnv, settings: PeerSettings): Promise<void> {
  await step('gathering Kafka Connect and its plugins', () => prepareWorker(peerConnectOptions(env, settings)));
}

export function peerConnectOptions(env: BenchEnv, settings: PeerSettings): ConnectOptions {
  const config = env.config(env.topicsOf(''));
  return connectOptions(stackOptions(projectRoot()), {
    name: `peer-${env.runId}`,
    dir: join(env.outDir, 'peer-connect'),
    bootstrapServers: config.kafka.bootstrapServers.join(','),
    plugins: ['debezium-jdbc-sink', 'apicurio-avro-converter'],
    heap: { max: settings.heap, initial: '256M' },
    workerProperties: settings.worker,
  });
}

async function watchRows(
  env: BenchEnv,
  worker: RunningWorker,
  connector: string,
  database: string,
  topics: readonly string[],
  options: PeerOptions,
  origin: number,
  signal: AbortSignal,
): Promise<Drain> {
  const services = env.services();
  const peerDatabase = await connectDb(sinkLogin(env.config(topics), database));
  const watch = new OffsetWatch(peerDatabase, (connection) => committedRows(connection, topics));
  watch.setOrigin(origin);
  // The connector's status is read once a second beside the 100 ms row poll: a failed task ends the wait.
  let failure: string | undefined;
  let checking = true;
  const checker = (async () => {
    while (checking && !signal.aborted) {
      if (!isAlive(worker.pid)) failure = `the worker exited; log: ${worker.process.logFile}`;
      else failure ??= await worker.rest.failure(connector).catch(() => undefined);
      await sleep(1_000);
    }
  })();
  const samples: CounterSample[] = [];
  let first: { snapshot: OffsetSnapshot; cpu: CpuReading } | undefined;
  try {
    const last = await watch.poll({
      intervalMs: 100,
      timeoutMs: options.timeoutMs,
      onSnapshot: (snapshot) => {
        samples.push({ t: snapshot.t, value: snapshot.sum });
        if (first === undefined && snapshot.sum > 0)
          first = { snapshot, cpu: cpuReading(worker.pid, services, snapshot.t) };
      },
      done: (snapshot) => snapshot.sum >= options.target,
      abort: () => failure ?? (signal.aborted ? 'stopped' : undefined),
    });
    const doneCpu = cpuReading(worker.pid, services, last.t);
    const start = first ?? { snapshot: last, cpu: doneCpu };
    return drainFigures(samples, start.snapshot, last, cpuShare(start.cpu, doneCpu));
  } catch (error) {
    const message = describeError(error);
    throw new Error(message.includes('log:') ? message : `${message}; log: ${worker.process.logFile}`);
  } finally {
    checking = false;
    await checker;
    await watch.close();
  }
}

/** Per partition of each topic's table (in the peer's database): MAX(offset) + 1, the records committed so far. */
async function committedRows(connection: Connection, topics: readonly string[]): Promise<Map<string, number>> {
  const progress = new Map<string, number>();
  for (const topic of topics) {
    try {
      const rows = await selectRows(connection, selectConnectSinkProgress(topic));
      for (const row of rows) progress.set(`${topic}/${Number(row.p)}`, Number(row.o) + 1);
    } catch (error) {
      // Tables appear with the connector's first batch (schema.evolution=basic).
      if (!isNoSuchTable(error)) throw error;
    }
  }
  return progress;
}

async function countRows(
  env: BenchEnv,
  database: string,
  topics: readonly string[],
  expected: ReadonlyMap<string, number>,
): Promise<PeerResult['tables']> {
  const connection = await connectDb(sinkLogin(env.config(topics), database));
  const tables: { table: string; rows: number; expected: number }[] = [];
  try {
    for (const topic of topics) {
      let rows = 0;
      try {
        rows = Number((await selectRows(connection, countRowsSql(topic)))[0]?.n ?? 0);
      } catch (error) {
        if (!isNoSuchTable(error)) throw error;
      }
      tables.push({ table: topic, rows, expected: expected.get(topic) ?? 0 });
    }
  } finally {
    await connection.end().catch(() => undefined);
  }
  return tables;
}

/** The worker's config / offset / status topics: each run has its own, so nothing outlives it. */
async function deleteWorkerTopics(env: BenchEnv, topics: readonly string[], connect: ConnectOptions): Promise<void> {
  const group = workerGroup(connect);
  const internal = [group.configTopic, group.offsetTopic, group.statusTopic];
  const config = env.config(topics);
  try {
    await withMetadataClient(config, async (kafka) => {
      const existing = (await kafka.cluster()).topics;
      const admin = new TopicAdmin(config, kafka);
      try {
        for (const topic of internal) if (existing.has(topic)) await admin.delete(topic);
      } finally {
        admin.close();
      }
    });
  } catch (error) {
    env.log(`  peer cleanup: could not delete the worker's topics ${internal.join(', ')}: ${describeError(error)}`);
  }
}
