import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SinkScenario, type SinkProcess, useScenarios } from './helpers/sink-harness.ts';
import {
  assertExactlyOnce,
  ownership,
  produceInBackground,
  storedTotal,
  tails,
  waitForAllProduced,
} from './helpers/sink-checks.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * Static group membership (kafka.group.instance.id=auto): two instances on one host get distinct
 * stable ids; one killed with -9 and started again rejoins as the same member and gets its partitions
 * back without waiting out the session timeout; a graceful stop still hands its partitions over at once.
 * The session timeout is 30 s here, so a restart that waited for it could not pass the bounds. Records
 * keep arriving throughout; the end is exactly once.
 */
const SESSION_MS = 30_000;
const scenario = new SinkScenario(1, 4, 'kms_static');
const SETTINGS = { 'sink.batch.max.records': 100, 'kafka.session.timeout.ms': SESSION_MS };

useScenarios(scenario);

const memberId = (sink: SinkProcess): string | undefined =>
  sink.logs().find((l) => typeof l.groupInstanceId === 'string')?.groupInstanceId as string | undefined;

/** Milliseconds until each of `partitions` has a stored offset above the one it had when called. */
async function untilEachCommits(partitions: readonly number[], timeoutMs: number): Promise<number> {
  const topic = scenario.topics[0]!;
  const started = Date.now();
  const before = await scenario.offsets(topic);
  await waitFor(
    `a commit on partitions ${partitions.join(', ')}`,
    async () => {
      const now = await scenario.offsets(topic);
      return partitions.every((p) => (now.get(p) ?? 0) > (before.get(p) ?? 0));
    },
    { timeoutMs, intervalMs: 50 },
  );
  return Date.now() - started;
}

test('kill -9 and restart: the same static member gets its partitions back at once; a graceful stop hands over at once', {
  timeout: 300_000,
}, async (t) => {
  const topic = scenario.topics[0]!;
  const producing = produceInBackground(scenario, 100, 50);
  let a = scenario.startSink(SETTINGS, 'a');
  const b = scenario.startSink(SETTINGS, 'b');
  await waitFor(
    'both instances owning partitions',
    () => ownership(a).get(topic)?.size === 2 && ownership(b).get(topic)?.size === 2,
    {
      timeoutMs: 90_000,
    },
  );
  const [idA, idB] = [memberId(a), memberId(b)];
  assert.ok(idA !== undefined && idB !== undefined, tails([a, b]));
  assert.notEqual(idA, idB, 'two instances on one host: two member ids');
  assert.match(idA, /-[01]$/);
  await waitFor('records being written', async () => (await storedTotal(scenario)) > 1_000, { timeoutMs: 60_000 });

  // kill -9, then start again at once: the same slot, the same member id, the same partitions.
  const owned = [...(ownership(a).get(topic) ?? [])];
  assert.equal(await a.kill('SIGKILL'), null);
  a = scenario.startSink(SETTINGS, 'a-restarted');
  const restartMs = await untilEachCommits(owned, SESSION_MS + 30_000);
  t.diagnostic(
    `restart after kill -9: first commit on each of its partitions ${restartMs} ms after the new process started`,
  );
  assert.equal(memberId(a), idA, 'the restarted instance is the same static member');
  assert.ok(restartMs < SESSION_MS - 5_000, `restart took ${restartMs} ms: not the ${SESSION_MS} ms session timeout`);

  // A graceful stop leaves the group: b takes over a's partitions without a session timeout.
  const handedOver = [...(ownership(a).get(topic) ?? [])];
  assert.equal(await a.kill('SIGTERM'), 0, tails([a]));
  const handoverMs = await untilEachCommits(handedOver, SESSION_MS + 30_000);
  t.diagnostic(`graceful stop: b committed on each of a's partitions ${handoverMs} ms after a exited`);
  assert.ok(handoverMs < SESSION_MS - 5_000, `hand-over took ${handoverMs} ms: not the session timeout`);

  await producing.stop();
  await waitForAllProduced(scenario, 120_000);
  assert.equal(await b.kill('SIGTERM'), 0, tails([b]));
  await assertExactlyOnce(scenario, 'after kill -9, restart and graceful stop');
});
