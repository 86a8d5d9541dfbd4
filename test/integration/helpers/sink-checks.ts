import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResultRow } from '../../../src/mysql/pool.ts';
import { type KmsResult, describeRun, runKms } from './kms-cli.ts';
import type { SinkProcess, SinkScenario } from './sink-harness.ts';
import type { Settings } from './test-world.ts';
import { waitFor } from './wait.ts';

/**
 * Helpers for the multi-process exactly-once tests (crash loops, several instances, zombies): who owns
 * which partition according to a sink's own log, background production, and the final per-partition
 * exactly-once assertion.
 */

/** Partitions a sink owns right now, per topic, replayed from its "partitions assigned / revoked / lost" lines. */
export function ownership(sink: SinkProcess): Map<string, Set<number>> {
  const owned = new Map<string, Set<number>>();
  for (const line of sink.logs()) {
    if (typeof line.topic !== 'string' || !Array.isArray(line.partitions)) continue;
    const set = owned.get(line.topic) ?? new Set<number>();
    owned.set(line.topic, set);
    const partitions = line.partitions as number[];
    if (line.msg === 'partitions assigned') for (const p of partitions) set.add(p);
    else if (line.msg === 'partitions revoked' || line.msg === 'partitions lost')
      for (const p of partitions) set.delete(p);
  }
  return owned;
}

/** How many partitions of `topic` the sink owns now. */
export function ownedCount(sink: SinkProcess, topic: string): number {
  return ownership(sink).get(topic)?.size ?? 0;
}

/** The start offset of each partition in the sink's first assignment of it, per topic ("p": offset). */
export function assignedOffsets(sink: SinkProcess): Record<string, Record<string, number>> {
  const result: Record<string, Record<string, number>> = {};
  for (const line of linesWith(sink, 'partitions assigned')) {
    const topic = String(line.topic);
    result[topic] = { ...(line.offsets as Record<string, number>), ...result[topic] };
  }
  return result;
}

/** Every stored offset of the scenario, in the shape of `assignedOffsets`. */
export async function storedOffsets(scenario: SinkScenario): Promise<Record<string, Record<string, number>>> {
  const result: Record<string, Record<string, number>> = {};
  for (const topic of scenario.topics) {
    result[topic] = Object.fromEntries([...(await scenario.offsets(topic))].map(([p, offset]) => [String(p), offset]));
  }
  return result;
}

/** Waits until `sink` owns every partition of every topic of the scenario. */
export async function waitForAllPartitions(
  scenario: SinkScenario,
  sink: SinkProcess,
  timeoutMs = 60_000,
): Promise<void> {
  await waitFor(
    `${sink.name} owning all ${scenario.topics.length}×${scenario.partitions} partitions`,
    () => sink.running && scenario.topics.every((topic) => ownedCount(sink, topic) === scenario.partitions),
    { timeoutMs, intervalMs: 100 },
  );
}

/** Sends a signal without waiting for an exit (SIGSTOP / SIGCONT). */
export function signal(sink: SinkProcess, name: NodeJS.Signals): void {
  if (sink.exitCode === undefined) process.kill(sink.pid, name);
}

/** Log lines of `sink` with this message. */
export function linesWith(sink: SinkProcess, msg: string): Record<string, unknown>[] {
  return sink.logs().filter((l) => l.msg === msg);
}

/**
 * Produces `perRound` sequenced records to every partition of every topic, round after round, until
 * `stop()`; `stop()` resolves once the last round is delivered, so `scenario.produced()` is final then.
 * `burst(n)` slips one round of `n` per partition in between. Rounds never overlap: per-partition
 * sequence numbers stay in offset order.
 */
export function produceInBackground(
  scenario: SinkScenario,
  perRound: number,
  pauseMs: number,
): {
  stop(): Promise<number>;
  burst(perPartition: number): Promise<void>;
  rounds(): number;
} {
  let stopping = false;
  let rounds = 0;
  let chain: Promise<void> = Promise.resolve();
  const round = (n: number): Promise<void> => {
    const next = chain.then(async () => {
      for (const topic of scenario.topics) await scenario.produceSequenced(topic, n);
    });
    chain = next.catch(() => {});
    return next;
  };
  const loop = (async () => {
    while (!stopping) {
      await round(perRound);
      rounds++;
      await sleep(pauseMs);
    }
    await chain;
  })();
  return {
    async stop() {
      stopping = true;
      await loop;
      return rounds;
    },
    burst: (n) => round(n),
    rounds: () => rounds,
  };
}

/** Sum over all topics and partitions of the stored offsets. */
export async function storedTotal(scenario: SinkScenario): Promise<number> {
  let total = 0;
  for (const topic of scenario.topics) for (const offset of (await scenario.offsets(topic)).values()) total += offset;
  return total;
}

/** Waits until every partition's stored offset reached what was produced into it. */
export async function waitForAllProduced(scenario: SinkScenario, timeoutMs = 90_000): Promise<void> {
  for (const topic of scenario.topics) {
    try {
      await scenario.waitForOffsets(topic, (p) => scenario.produced(topic, p), timeoutMs);
    } catch (error) {
      const offsets = await scenario.offsets(topic);
      const where = Array.from(
        { length: scenario.partitions },
        (_, p) => `${p}: stored ${offsets.get(p)} of ${scenario.produced(topic, p)}`,
      );
      throw new Error(`${(error as Error).message} (${where.join(', ')})`);
    }
  }
}

/** `./kms verify` over the scenario's topics: Kafka's end offsets = kafka_offsets = rows + dead letters. */
export async function assertVerifyPasses(scenario: SinkScenario): Promise<void> {
  const verify = ['verify', ...scenario.sets()];
  const verified = await runKms(verify, {}, { timeoutMs: 120_000 });
  assert.equal(verified.code, 0, describeRun(verify, verified));
  const partitions = scenario.partitions * scenario.topics.length;
  assert.match(verified.stdout, new RegExp(`^PASS: ${partitions}/${partitions} partitions match`, 'm'));
}

/**
 * The exactly-once verdict, per partition: stored offset == records produced, one row per record
 * (no duplicate offset), seq 0..n-1 in offset order (nothing lost, order kept), no dead letters.
 */
export async function assertExactlyOnce(scenario: SinkScenario, context = ''): Promise<void> {
  for (const topic of scenario.topics) {
    const offsets = await scenario.offsets(topic);
    const state = await scenario.tableState(topic);
    for (let p = 0; p < scenario.partitions; p++) {
      const n = scenario.produced(topic, p);
      assert.ok(n > 0, `${topic}/${p}: nothing produced`);
      assert.equal(offsets.get(p), n, `${topic}/${p} stored offset ${context}`);
      assert.deepEqual(
        state.get(p),
        { rows: n, distinct: n, ordered: true, maxSeq: n - 1 },
        `${topic}/${p} rows ${context}`,
      );
    }
    assert.equal((await scenario.deadLetters(topic)).length, 0, `${topic}: dead letters ${context}`);
  }
}

/** The last `n` characters of every sink's output, for assertion messages. */
export function tails(sinks: readonly SinkProcess[], n = 1500): string {
  return sinks.map((s) => `--- ${s.name} (pid ${s.pid}) ---\n${s.output.slice(-n)}`).join('\n');
}

/**
 * Transactions open right now on connections to the scenario's database, with the rows each has
 * written so far (> 0: between INSERT and COMMIT). Meaningful while the writer is frozen (SIGSTOP).
 * InnoDB serves information_schema.innodb_trx from a cache refreshed when it is older than 100 ms:
 * waiting that long first makes the answer describe the frozen state, not a moment before it.
 */
export async function openTransactions(scenario: SinkScenario): Promise<{ rowsModified: number }[]> {
  await sleep(150);
  const [rows] = await scenario.admin.query<ResultRow[]>(
    `SELECT t.trx_rows_modified AS modified FROM information_schema.innodb_trx t
       JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id WHERE p.db = ?`,
    [scenario.database],
  );
  return rows.map((r) => ({ rowsModified: Number(r.modified) }));
}

/**
 * Produces `records` more per partition of `topic`, runs one sink with `settings` until it has written
 * them all, and stops it gracefully; returns the stopped sink for checks of its log.
 */
export async function drainWith(
  scenario: SinkScenario,
  topic: string,
  records: number,
  settings: Settings,
  name: string,
): Promise<SinkProcess> {
  await scenario.produceSequenced(topic, records);
  const sink = scenario.startSink(settings, name);
  await scenario
    .waitForOffsets(topic, (p) => scenario.produced(topic, p), 90_000)
    .catch((error: unknown) => {
      throw new Error(`${String(error)}\n${tails([sink])}`);
    });
  assert.equal(await sink.kill('SIGTERM'), 0, tails([sink]));
  return sink;
}

/** `./kms run` with the scenario's settings and `settings` must exit 2 with exactly one stderr line matching `says`. */
export async function refusedAtStart(
  scenario: SinkScenario,
  settings: Settings,
  says: RegExp,
): Promise<{ result: KmsResult; line: string; context: string }> {
  const args = ['run', ...scenario.sets(settings)];
  const result = await runKms(args, {}, { timeoutMs: 60_000 });
  const context = describeRun(args, result);
  assert.equal(result.code, 2, context);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, context);
  assert.match(lines[0]!, says, context);
  return { result, line: lines[0]!, context };
}

/** Waits until some partition of `topic` has stored an offset of at least `offset`: a sink part-way through. */
export function waitForSomeCommitted(
  scenario: SinkScenario,
  topic: string,
  offset: number,
  what = 'some batches committed',
): Promise<void> {
  return waitFor(what, async () => [...(await scenario.offsets(topic)).values()].some((o) => o >= offset), {
    timeoutMs: 60_000,
  });
}
