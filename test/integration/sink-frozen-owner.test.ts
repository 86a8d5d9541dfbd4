import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { SinkScenario, type SinkProcess, useScenarios } from './helpers/sink-harness.ts';
import {
  assertExactlyOnce,
  openTransactions,
  produceInBackground,
  signal,
  storedTotal,
  tails,
  waitForAllPartitions,
  waitForAllProduced,
} from './helpers/sink-checks.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * A frozen owner (SIGSTOP between INSERT and COMMIT) holds its partitions' offset-row locks. The group
 * moves its partitions after the session timeout; the server ends its transaction about then
 * (idle_transaction_timeout follows the session timeout), so the new owner progresses within the
 * session timeout plus a few seconds instead of waiting a minute. Thawed (SIGCONT), the old owner finds
 * its transaction gone and its partitions moved on: fenced, it writes nothing twice.
 */
const SESSION_MS = 6_000;
const scenario = new SinkScenario(1, 3, 'kms_frozen');
const SETTINGS = { 'sink.batch.max.records': 200, 'kafka.session.timeout.ms': SESSION_MS };

useScenarios(scenario);

/** SIGSTOPs `sink` at a moment it has rows inserted and not committed (up to 100 tries). */
async function freezeInsideTransaction(sink: SinkProcess): Promise<number> {
  for (let attempt = 1; attempt <= 100; attempt++) {
    signal(sink, 'SIGSTOP');
    const open = await openTransactions(scenario);
    const rows = open.reduce((sum, trx) => sum + trx.rowsModified, 0);
    if (rows > 0) return rows;
    signal(sink, 'SIGCONT');
    await sleep(5 + Math.random() * 45);
  }
  assert.fail(`never caught ${sink.name} inside a transaction`);
}

test('an owner frozen mid-transaction: the new owner progresses within the session timeout + 5 s; thawed, the old one is fenced', {
  timeout: 300_000,
}, async (t) => {
  const topic = scenario.topics[0]!;
  const producing = produceInBackground(scenario, 100, 50);
  const frozen = scenario.startSink(SETTINGS, 'frozen');
  try {
    await waitForAllPartitions(scenario, frozen, 60_000);
    await waitFor('records being written', async () => (await storedTotal(scenario)) > 1_000, { timeoutMs: 60_000 });
    const uncommitted = await freezeInsideTransaction(frozen);
    const frozenAt = Date.now();
    const stuck = await scenario.offsets(topic);
    const successor = scenario.startSink(SETTINGS, 'successor');
    await waitFor(
      'the successor committing on every partition',
      async () => {
        const now = await scenario.offsets(topic);
        return [...stuck].every(([p, offset]) => (now.get(p) ?? 0) > offset);
      },
      { timeoutMs: 120_000, intervalMs: 50 },
    );
    const stallMs = Date.now() - frozenAt;
    t.diagnostic(`frozen with ${uncommitted} uncommitted rows; every partition committed again ${stallMs} ms later`);
    assert.ok(stallMs < SESSION_MS + 15_000, `stall ${stallMs} ms: not the server's 60 s idle transaction timeout`);

    // Thawed: its connection was closed by the server and its partitions moved. It writes nothing twice.
    signal(frozen, 'SIGCONT');
    await sleep(3_000);
    await producing.stop();
    await waitForAllProduced(scenario, 120_000);
    const fenced = frozen
      .logs()
      .filter((l) => /offset moved by another writer|partitions lost|transient failure/.test(String(l.msg)));
    t.diagnostic(`thawed owner: ${fenced.map((l) => l.msg).join('; ') || 'no batch in flight'}`);
    for (const sink of [frozen, successor]) assert.equal(await sink.kill('SIGTERM'), 0, tails([sink]));
    await assertExactlyOnce(scenario, 'after a frozen owner and its thaw');
  } finally {
    signal(frozen, 'SIGCONT');
    await producing.stop();
  }
});
