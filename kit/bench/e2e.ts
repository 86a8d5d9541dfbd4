/**
 * End to end: a pre-produced backlog on 3 topics × 3 partitions, the sink started cold as a child
 * process, time until every offset is committed and `verify` passes. Committed offsets are sampled every
 * 100 ms (throughput over time), RSS every 200 ms by the child wrapper, CPU of the sink, MariaDB and the
 * broker at the first and the last commit.
 */
import { join } from 'node:path';
import type { SinkConfig } from '../../src/config/index.ts';
import type { ProduceResult } from '../tools/produce.ts';
import { verify, verifySummary } from '../tools/verify.ts';
import type { BenchEnv } from './bench-env.ts';
import { OffsetWatch, type OffsetSnapshot } from './offset-watch.ts';
import { cpuSecondsOf, machineCpu, sumCpu } from './proc.ts';
import { SinkChild } from './sink-child.ts';
import { bucketFor, bucketRates, type CounterSample } from './stats.ts';

export interface CpuReading {
  readonly at: number;
  readonly hrtimeUs: number;
  readonly sink: number;
  readonly mariadb: number;
  readonly kafka: number;
  readonly machineBusy: number;
  readonly machineTotal: number;
  readonly bench: number;
}

export interface CpuShare {
  readonly wallSeconds: number;
  /** CPU seconds in the window. */
  readonly sink: number;
  readonly mariadb: number;
  readonly kafka: number;
  readonly bench: number;
  readonly machineBusy: number;
  readonly machineCapacity: number;
  /** Busy CPU of processes other than these (other people's work on the machine: noise). */
  readonly other: number;
}

export interface DrainResult {
  readonly records: number;
  /** Seconds after spawn. */
  readonly firstCommit: number;
  readonly done: number;
  readonly coldRate: number;
  readonly steadyRate: number;
  /** Records/s per bucket (500 ms; finer for short drains), t in seconds after spawn. */
  readonly series: readonly { t: number; rate: number }[];
  readonly cpu: CpuShare | undefined;
  /** hrtime (µs) of the first and the last commit, to cut a CPU profile to the drain. */
  readonly windowUs: readonly [number, number];
}

export interface E2eResult extends DrainResult {
  readonly produceRate: number;
  readonly verifyOk: boolean;
  readonly verifyText: string;
  readonly verifySeconds: number;
  readonly peakRss: number;
  readonly maxSampledRss: number;
  readonly rssSeries: readonly { t: number; rss: number }[];
  /** Seconds after spawn: the first log line, all topics consuming, last partition assigned. */
  readonly startup: { readonly logging?: number; readonly consuming?: number; readonly assigned?: number };
}

export function cpuReading(pid: number, services: { mariadb: number[]; kafka: number[] }, at: number): CpuReading {
  const machine = machineCpu();
  const own = process.cpuUsage();
  return {
    at,
    hrtimeUs: Number(process.hrtime.bigint() / 1000n),
    sink: cpuSecondsOf(pid) ?? 0,
    mariadb: sumCpu(services.mariadb),
    kafka: sumCpu(services.kafka),
    machineBusy: machine.busy,
    machineTotal: machine.total,
    bench: (own.user + own.system) / 1e6,
  };
}

export function cpuShare(a: CpuReading, b: CpuReading): CpuShare {
  const wallSeconds = b.at - a.at;
  const sink = b.sink - a.sink;
  const mariadb = b.mariadb - a.mariadb;
  const kafka = b.kafka - a.kafka;
  const bench = b.bench - a.bench;
  const machineBusy = b.machineBusy - a.machineBusy;
  return {
    wallSeconds,
    sink,
    mariadb,
    kafka,
    bench,
    machineBusy,
    machineCapacity: b.machineTotal - a.machineTotal,
    other: Math.max(0, machineBusy - sink - mariadb - kafka - bench),
  };
}

/**
 * Watches `sinks` drain until the committed offsets of `topics` reach `target`. Times count from the
 * first sink's spawn.
 */
export async function watchDrain(
  env: BenchEnv,
  topics: readonly string[],
  sinks: readonly SinkChild[],
  target: number,
  timeoutMs: number,
): Promise<DrainResult> {
  const first = sinks[0]!;
  const services = env.services();
  const watch = await OffsetWatch.open(env, topics);
  watch.setOrigin(first.spawnedAt);
  const samples: CounterSample[] = [];
  let firstCommit: { snapshot: OffsetSnapshot; cpu: CpuReading } | undefined;
  try {
    const last = await watch.poll({
      intervalMs: 100,
      timeoutMs,
      onSnapshot: (snapshot) => {
        samples.push({ t: snapshot.t, value: snapshot.sum });
        // Fresh topics: the sink creates its offset rows at 0 on assignment, progress is anything above.
        if (firstCommit === undefined && snapshot.sum > 0)
          firstCommit = { snapshot, cpu: cpuReading(first.pid, services, snapshot.t) };
      },
      done: (snapshot) => snapshot.sum >= target,
      abort: () => {
        const dead = sinks.find((sink) => !sink.running);
        return dead === undefined
          ? undefined
          : `sink ${dead.name} exited during the drain; log ${dead.logFile}:\n${dead.tail()}`;
      },
    });
    const doneCpu = cpuReading(first.pid, services, last.t);
    const start = firstCommit ?? { snapshot: last, cpu: doneCpu };
    const records = last.sum;
    return {
      records,
      firstCommit: start.snapshot.t,
      done: last.t,
      coldRate: records / last.t,
      steadyRate: last.t > start.snapshot.t ? (records - start.snapshot.sum) / (last.t - start.snapshot.t) : Number.NaN,
      series: bucketRates(samples, bucketFor(last.t), last.t),
      cpu: sinks.length === 1 ? cpuShare(start.cpu, doneCpu) : undefined,
      windowUs: [start.cpu.hrtimeUs, doneCpu.hrtimeUs],
    };
  } finally {
    await watch.close();
  }
}

export interface E2eOptions {
  readonly records: number;
  readonly name: string;
  readonly nodeFlags?: readonly string[];
  readonly timeoutMs: number;
  /** The backlog is already in the topics (the peer drained it first): do not produce again. */
  readonly produced?: ProduceResult;
}

/** The end-to-end backlog: `records` over the topics, all acknowledged. */
export async function produceBacklog(
  env: BenchEnv,
  topics: readonly string[],
  records: number,
): Promise<ProduceResult> {
  const produced = await env.produce(topics, records);
  if (produced.failed > 0) throw new Error(`produce: ${produced.failed} records not acknowledged`);
  env.log(
    `  produced ${produced.records} records in ${produced.seconds.toFixed(1)} s (${Math.round(produced.recordsPerSecond)}/s)`,
  );
  return produced;
}

/** Produces the backlog (unless given), starts the sink, waits for the drain and verifies. The sink is left running. */
export async function runEndToEnd(
  env: BenchEnv,
  topics: readonly string[],
  options: E2eOptions,
): Promise<{ result: E2eResult; sink: SinkChild; config: SinkConfig }> {
  const produced = options.produced ?? (await produceBacklog(env, topics, options.records));
  const target = await env.endOffsets(topics);
  env.log(`  starting the sink on ${produced.records} records`);
  const sink = new SinkChild({
    name: options.name,
    args: env.runArgs(topics),
    logFile: join(env.outDir, `${options.name}.log`),
    nodeFlags: options.nodeFlags ?? env.nodeFlags,
  });
  try {
    const drain = await watchDrain(env, topics, [sink], target, options.timeoutMs);
    const peakRss = sink.peakRss();
    const config = env.config(topics);
    const verifyStarted = performance.now();
    const verdict = await verify(config, { wait: true, timeoutSeconds: 60, intervalMs: 500 });
    const verifySeconds = (performance.now() - verifyStarted) / 1000;
    const topicCount = topics.length;
    return {
      sink,
      config,
      result: {
        ...drain,
        produceRate: produced.recordsPerSecond,
        verifyOk: verdict.ok,
        verifyText: verifySummary(verdict),
        verifySeconds,
        peakRss,
        maxSampledRss: sink.maxSampledRss(),
        rssSeries: [...sink.rssSamples],
        startup: {
          logging: sink.logTime(() => true),
          consuming:
            sink.logs().filter((l) => l.msg === 'consuming').length >= topicCount
              ? sink.logTime((l) => l.msg === 'consuming', true)
              : undefined,
          assigned: sink.logTime((l) => l.msg === 'partitions assigned', true),
        },
      },
    };
  } catch (error) {
    sink.kill();
    throw error;
  }
}
