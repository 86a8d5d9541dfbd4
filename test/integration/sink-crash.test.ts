import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { SinkScenario, type SinkProcess } from './helpers/sink-harness.ts';
import {
  assertExactlyOnce,
  assignedOffsets,
  openTransactions,
  produceInBackground,
  signal,
  storedOffsets,
  storedTotal,
  tails,
  waitForAllPartitions,
  waitForAllProduced,
} from './helpers/sink-checks.ts';

/**
 * kill -9 at random moments while records keep arriving (docs/exactly-once.md, the first two cases):
 * a kill between INSERT and COMMIT leaves no trace (the transaction never committed), a kill after
 * COMMIT leaves the offset past the batch. Either way the next run starts at the stored offset:
 * 0 lost, 0 duplicated, order kept.
 */
const KILLS = 5;
/** Records per partition added before each run, so the run has a backlog to write when the kill comes. */
const BURST = 3_000;
const scenario = new SinkScenario(2, 3, 'kms_crash');
// Small batches: many transactions per second, so kills land inside them. A short session timeout:
// a restarted member gets the partitions as soon as the killed one is expelled from the group.
const SETTINGS = { 'sink.batch.max.records': 200, 'kafka.session.timeout.ms': 6000 };

before(() => scenario.setup());
after(() => scenario.cleanup());

/**
 * Freezes the sink (SIGSTOP), looks at its open transactions, then SIGKILLs it: the kill lands exactly
 * in the state observed. `insideTransaction`: keep thawing for a few ms and freezing again until a
 * transaction has inserted rows and not committed yet (the dangerous moment), up to 100 tries.
 */
async function kill(
  sink: SinkProcess,
  insideTransaction: boolean,
): Promise<{ open: number; uncommittedRows: number; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    signal(sink, 'SIGSTOP');
    const open = await openTransactions(scenario);
    const uncommittedRows = open.reduce((sum, trx) => sum + trx.rowsModified, 0);
    if (!insideTransaction || uncommittedRows > 0 || attempt >= 100) {
      assert.equal(await sink.kill('SIGKILL'), null, `${sink.name} exited before it was killed\n${tails([sink])}`);
      return { open: open.length, uncommittedRows, attempts: attempt };
    }
    signal(sink, 'SIGCONT');
    await sleep(5 + Math.random() * 45);
  }
}

test(`SIGKILL at random moments, ${KILLS} times, with production going on: exactly once`, async (t) => {
  const producing = produceInBackground(scenario, 25, 50);
  const runs: SinkProcess[] = [];
  let killedMidTransaction = 0;
  // Where the killed run left kafka_offsets: exactly where the next run must start.
  let leftAt = Object.fromEntries(
    scenario.topics.map((topic) => [
      topic,
      Object.fromEntries(Array.from({ length: scenario.partitions }, (_, p) => [String(p), 0])),
    ]),
  );
  try {
    for (let run = 1; run <= KILLS; run++) {
      const sink = scenario.startSink(SETTINGS, `sink-${run}`);
      runs.push(sink);
      await producing.burst(BURST);
      // The moment is random but counted from the assignment: before it a run has nothing to
      // interrupt (a restarted member waits for the killed one's session to expire first).
      await waitForAllPartitions(scenario, sink, 60_000);
      assert.deepEqual(assignedOffsets(sink), leftAt, `${sink.name} starts where the previous run left kafka_offsets`);
      const before = await storedTotal(scenario);
      const delay = 300 + Math.round(Math.random() * 1700);
      await sleep(delay);
      // Odd runs: wherever the moment falls. Even runs: at a moment inside a transaction.
      const state = await kill(sink, run % 2 === 0);
      if (state.uncommittedRows > 0) killedMidTransaction++;
      leftAt = await storedOffsets(scenario);
      t.diagnostic(
        `run ${run}: killed ${delay} ms after assignment (try ${state.attempts}) with ${state.open} open transaction(s), ` +
          `${state.uncommittedRows} rows inserted but not committed; ${(await storedTotal(scenario)) - before} records committed in the run`,
      );
    }
  } finally {
    await producing.stop();
  }
  assert.ok((await storedTotal(scenario)) > 0, 'the killed runs committed something');
  assert.ok(killedMidTransaction > 0, 'at least one kill landed between INSERT and COMMIT');

  const survivor = scenario.startSink(SETTINGS, 'survivor');
  runs.push(survivor);
  // Assigned first: a SIGTERM during Node's start-up, before the handler exists, would kill it outright.
  await waitForAllPartitions(scenario, survivor, 60_000);
  assert.deepEqual(
    assignedOffsets(survivor),
    leftAt,
    'the survivor starts where the last killed run left kafka_offsets',
  );
  await waitForAllProduced(scenario, 90_000).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${tails([survivor])}`);
  });
  assert.equal(await survivor.kill('SIGTERM'), 0, tails([survivor]));
  await assertExactlyOnce(scenario, `after ${KILLS} kills`);
  for (const sink of runs) {
    assert.ok(!sink.logs().some((l) => l.level === 'ERROR'), `${sink.name} logged an ERROR\n${tails([sink])}`);
  }
});
