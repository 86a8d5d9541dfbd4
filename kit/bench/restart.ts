/**
 * Restart: with a backlog waiting, time from spawning `kms run` to its first committed batch, read by
 * polling kafka_offsets every ~10 ms. Each run ends with a graceful stop (SIGTERM: the consumer leaves
 * its groups, so the next start does not wait out a session timeout), like an operator's restart.
 */
import { join } from 'node:path';
import type { BenchEnv } from './bench-env.ts';
import { OffsetWatch } from './offset-watch.ts';
import { SinkChild } from './sink-child.ts';

export interface RestartRun {
  readonly backlog: number;
  /** Seconds after spawn. */
  readonly firstCommit: number;
  readonly logging?: number;
  readonly consuming?: number;
  readonly assigned?: number;
}

export async function measureRestarts(
  env: BenchEnv,
  topics: readonly string[],
  runs: number,
  minBacklog: number,
): Promise<RestartRun[]> {
  const out: RestartRun[] = [];
  const watch = await OffsetWatch.open(env, topics);
  try {
    for (let run = 1; run <= runs; run++) {
      let end = await env.endOffsets(topics);
      let before = (await watch.read()).sum;
      if (end - before < minBacklog) {
        await env.produce(topics, minBacklog * 2);
        end = await env.endOffsets(topics);
        before = (await watch.read()).sum;
      }
      const sink = new SinkChild({
        name: `restart-${run}`,
        args: env.runArgs(topics),
        logFile: join(env.outDir, `restart-${run}.log`),
        nodeFlags: env.nodeFlags,
      });
      try {
        watch.setOrigin(sink.spawnedAt);
        const first = await watch.poll({
          intervalMs: 10,
          timeoutMs: 60_000,
          done: (snapshot) => snapshot.sum > before,
          abort: () => (sink.running ? undefined : `sink exited during start-up; log ${sink.logFile}:\n${sink.tail()}`),
        });
        const topicCount = topics.length;
        const consumingLines = sink.logs().filter((l) => l.msg === 'consuming').length;
        out.push({
          backlog: end - before,
          firstCommit: first.t,
          ...optional(
            'logging',
            sink.logTime(() => true),
          ),
          ...optional(
            'consuming',
            consumingLines >= topicCount ? sink.logTime((l) => l.msg === 'consuming', true) : undefined,
          ),
          ...optional(
            'assigned',
            sink.logTime((l) => l.msg === 'partitions assigned'),
          ),
        });
        env.log(`  restart ${run}: first commit ${first.t.toFixed(2)} s after spawn (backlog ${end - before})`);
      } finally {
        await sink.stop();
      }
    }
  } finally {
    await watch.close();
  }
  return out;
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}
