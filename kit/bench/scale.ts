/**
 * Scale-out: the same backlog size drained by 1 and by 2 sink processes sharing the consumer groups
 * (each on its own fresh topic set, so both start from the same empty state), then `verify` proves no
 * record was lost or written twice across the rebalances.
 */
import { join } from 'node:path';
import { verify, verifySummary } from '../tools/verify.ts';
import type { BenchEnv } from './bench-env.ts';
import { watchDrain } from './e2e.ts';
import { SinkChild } from './sink-child.ts';

export interface ScaleRun {
  readonly instances: number;
  readonly records: number;
  readonly seconds: number;
  readonly rate: number;
  readonly steadyRate: number;
  readonly verifyOk: boolean;
  readonly verifyText: string;
  /** Assignment / revocation log lines over all instances: how much the group moved. */
  readonly rebalanceEvents: number;
}

export async function measureScaleOut(
  env: BenchEnv,
  instances: number,
  records: number,
  timeoutMs: number,
): Promise<ScaleRun> {
  const topics = await env.createTopicSet(`s${instances}`);
  const produced = await env.produce(topics, records);
  if (produced.failed > 0) throw new Error(`produce: ${produced.failed} records not acknowledged`);
  const target = await env.endOffsets(topics);
  const sinks: SinkChild[] = [];
  try {
    for (let i = 1; i <= instances; i++) {
      sinks.push(
        new SinkChild({
          name: `scale-${instances}x-${i}`,
          args: env.runArgs(topics),
          logFile: join(env.outDir, `scale-${instances}x-${i}.log`),
          nodeFlags: env.nodeFlags,
        }),
      );
    }
    const drain = await watchDrain(env, topics, sinks, target, timeoutMs);
    const verdict = await verify(env.config(topics), { wait: true, timeoutSeconds: 60, intervalMs: 500 });
    const rebalanceEvents = sinks.reduce(
      (sum, sink) =>
        sum +
        sink
          .logs()
          .filter(
            (l) => l.msg === 'partitions assigned' || l.msg === 'partitions revoked' || l.msg === 'partitions lost',
          ).length,
      0,
    );
    return {
      instances,
      records: drain.records,
      seconds: drain.done,
      rate: drain.coldRate,
      steadyRate: drain.steadyRate,
      verifyOk: verdict.ok,
      verifyText: verifySummary(verdict),
      rebalanceEvents,
    };
  } finally {
    await Promise.all(sinks.map((sink) => sink.stop()));
  }
}
