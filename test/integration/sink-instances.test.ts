import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { SinkScenario, type SinkProcess, useScenarios } from './helpers/sink-harness.ts';
import {
  assertExactlyOnce,
  linesWith,
  ownership,
  produceInBackground,
  signal,
  storedOffsets,
  tails,
  waitForAllPartitions,
  waitForAllProduced,
} from './helpers/sink-checks.ts';
import { waitFor } from './helpers/wait.ts';
import { rootConnection } from './helpers/services.ts';

/**
 * Two instances in the same consumer groups (one per topic) share the partitions through the
 * cooperative-sticky assignor; when one leaves (gracefully, or killed and expelled after its session
 * timeout) the other takes everything over. Records are produced throughout: 0 lost, 0 duplicated.
 */
const SETTINGS = { 'sink.batch.max.records': 200, 'kafka.session.timeout.ms': 6000 };
const graceful = new SinkScenario(2, 3, 'kms_inst');
const killed = new SinkScenario(2, 3, 'kms_inst');

useScenarios(graceful, killed);

/** Both own part of every topic, nothing is owned twice and nothing by nobody. */
function isSplit(scenario: SinkScenario, a: SinkProcess, b: SinkProcess): boolean {
  const ownedA = ownership(a);
  const ownedB = ownership(b);
  return scenario.topics.every((topic) => {
    const pa = ownedA.get(topic) ?? new Set<number>();
    const pb = ownedB.get(topic) ?? new Set<number>();
    return pa.size > 0 && pb.size > 0 && pa.size + pb.size === scenario.partitions && [...pa].every((p) => !pb.has(p));
  });
}

/** Time of the last line of `sink` with `msg` naming `topic` and `partition`. */
function lastTime(sink: SinkProcess, msg: string, topic: string, partition: number): number | undefined {
  const lines = linesWith(sink, msg).filter((l) => l.topic === topic && (l.partitions as number[]).includes(partition));
  const last = lines.at(-1);
  return last === undefined ? undefined : Date.parse(String(last.time));
}

/**
 * A starts alone and takes every partition; B joins: A gives up some partitions of each topic (revoke
 * first, then B is assigned them: never both at once), and B writes to them.
 */
async function startPair(scenario: SinkScenario): Promise<[SinkProcess, SinkProcess]> {
  const a = scenario.startSink(SETTINGS, 'A');
  await waitForAllPartitions(scenario, a, 60_000);
  const b = scenario.startSink(SETTINGS, 'B');
  await waitFor('partitions split between A and B', () => isSplit(scenario, a, b), { timeoutMs: 60_000 }).catch(
    (error: unknown) => {
      throw new Error(`${String(error)}\n${tails([a, b])}`);
    },
  );
  const ownedB = ownership(b);
  for (const topic of scenario.topics) {
    for (const partition of ownedB.get(topic)!) {
      const revoked = lastTime(a, 'partitions revoked', topic, partition);
      const assigned = lastTime(b, 'partitions assigned', topic, partition);
      assert.ok(revoked !== undefined, `A logged giving up ${topic}/${partition}\n${tails([a])}`);
      assert.ok(assigned !== undefined && revoked <= assigned, `${topic}/${partition}: A let go before B took it`);
    }
  }
  // B writes to its partitions: their stored offsets move past where B was assigned them.
  const startedAt = new Map<string, Map<number, number>>(scenario.topics.map((topic) => [topic, new Map()]));
  for (const line of linesWith(b, 'partitions assigned')) {
    for (const [p, offset] of Object.entries(line.offsets as Record<string, number>))
      startedAt.get(String(line.topic))?.set(Number(p), offset);
  }
  await waitFor(
    'B committing to its partitions',
    async () => {
      for (const topic of scenario.topics) {
        const offsets = await scenario.offsets(topic);
        for (const [p, start] of startedAt.get(topic)!) if ((offsets.get(p) ?? -1) <= start) return false;
      }
      return true;
    },
    { timeoutMs: 60_000 },
  );
  return [a, b];
}

/**
 * A takeover: a backlog and records produced throughout while A and B share the partitions; `leave` makes
 * A go (its own way) and returns once B owns everything. B then writes A's former partitions too, drains
 * what was produced and stops gracefully, and every record is in its table exactly once.
 */
async function takeover(
  scenario: SinkScenario,
  when: string,
  leave: (a: SinkProcess, b: SinkProcess) => Promise<void>,
): Promise<[SinkProcess, SinkProcess]> {
  for (const topic of scenario.topics) await scenario.produceSequenced(topic, 2_000);
  const producing = produceInBackground(scenario, 25, 50);
  let pair: [SinkProcess, SinkProcess];
  try {
    pair = await startPair(scenario);
    await leave(...pair);
    await producing.burst(500);
  } finally {
    await producing.stop();
  }
  const b = pair[1];
  await waitForAllProduced(scenario, 90_000).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${tails([b])}`);
  });
  assert.equal(await b.kill('SIGTERM'), 0, tails([b]));
  await assertExactlyOnce(scenario, when);
  return pair;
}

const noErrors = (sink: SinkProcess): void =>
  assert.ok(!sink.logs().some((l) => l.level === 'ERROR'), `${sink.name} logged an ERROR\n${tails([sink])}`);

test('two instances split the partitions; one stops gracefully, the other takes over: exactly once', async (t) => {
  const t0 = Date.now();
  const pair = await takeover(graceful, 'after A left', async (a, b) => {
    assert.equal(await a.kill('SIGTERM'), 0, `A stops gracefully\n${tails([a])}`);
    t.diagnostic(`A stopped gracefully ${Date.now() - t0} ms into the test`);
    assert.ok(
      graceful.topics.every((topic) => (ownership(a).get(topic)?.size ?? 0) === 0),
      'A released everything on the way out',
    );
    await waitForAllPartitions(graceful, b, 60_000);
    t.diagnostic(`B owns everything ${Date.now() - t0} ms into the test`);
  });
  pair.forEach(noErrors);
});

test('two instances split the partitions; one is SIGKILLed, the other takes over after the session timeout: exactly once', async () => {
  const scenario = killed;
  const [, b] = await takeover(scenario, 'after A was killed', async (a, b) => {
    const ownedByA = ownership(a);
    // Frozen a moment first, so that a COMMIT A sent just before the kill is in kafka_offsets when it is read.
    signal(a, 'SIGSTOP');
    await sleep(300);
    assert.equal(await a.kill('SIGKILL'), null);
    const leftAt = await storedOffsets(scenario);
    // No goodbye from A: the group expels it when its session times out, then B gets its partitions,
    // starting exactly where A's last committed transaction left them.
    await waitForAllPartitions(scenario, b, 60_000);
    for (const topic of scenario.topics) {
      for (const partition of ownedByA.get(topic)!) {
        const assigned = linesWith(b, 'partitions assigned')
          .filter((l) => l.topic === topic && (l.partitions as number[]).includes(partition))
          .at(-1);
        assert.equal(
          (assigned?.offsets as Record<string, number> | undefined)?.[String(partition)],
          leftAt[topic]![String(partition)],
          `B took ${topic}/${partition} over at A's last committed offset`,
        );
      }
    }
  });
  noErrors(b);
});

/**
 * Backpressure pauses a partition in librdkafka, and librdkafka keeps that pause across unassign and
 * assign. A partition revoked while paused and later assigned back to the same instance must flow again.
 * Made deterministic by holding the partitions' kafka_offsets rows locked from a test connection: A's
 * batches wait on the lock, its queues fill and pause; B joins; A's revoke waits for the in-flight batch
 * until the lock is released. Then B leaves and A gets those partitions back.
 */
const paused = new SinkScenario(1, 3, 'kms_inst');

before(() => paused.setup());
after(() => paused.cleanup());

test('a partition revoked while paused by backpressure flows again when it is assigned back', async () => {
  const scenario = paused;
  const topic = scenario.topics[0]!;
  const settings = { ...SETTINGS, 'sink.batch.max.records': 50, 'blocking.queue.size': 100 };
  const activated = 'Backpressure activated and message processing stopped...';
  const resolved = 'Backpressure has been resolved. Resuming message processing...';
  await scenario.produceSequenced(topic, 500);
  const producing = produceInBackground(scenario, 10, 50);
  const locker = await rootConnection(scenario.database);
  let a: SinkProcess, b: SinkProcess;
  try {
    a = scenario.startSink(settings, 'A');
    await waitForAllPartitions(scenario, a, 60_000);
    await scenario.waitForOffsets(topic, () => 500, 60_000);

    await locker.query('START TRANSACTION');
    await locker.query('SELECT * FROM kafka_offsets WHERE topic = ? FOR UPDATE', [topic]);
    // A partition may still be paused from catching up when the lock is taken: being paused is the last
    // backpressure line saying so, and it stays so once a batch waits on the lock (a lock wait timed out
    // after the lock was taken), since only a taken batch resumes.
    const locked = a.logs().length;
    const pausedBehindLock = (partition: number): boolean => {
      const lines = a.logs().filter((l) => l.partition === partition);
      const blocked = a
        .logs()
        .slice(locked)
        .some((l) => l.msg === 'transient failure, batch rolled back; retrying' && l.partition === partition);
      return blocked && lines.filter((l) => l.msg === activated || l.msg === resolved).at(-1)?.msg === activated;
    };
    await waitFor('A paused on every partition, behind the lock', () => [0, 1, 2].every(pausedBehindLock), {
      timeoutMs: 30_000,
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${tails([a])}`);
    });
    b = scenario.startSink(settings, 'B');
    await b.waitForLog('B in the group', (l) => l.msg === 'partitions assigned', 30_000);
    await locker.query('ROLLBACK');

    await waitFor('partitions split between A and B', () => isSplit(scenario, a, b), { timeoutMs: 60_000 }).catch(
      (error: unknown) => {
        throw new Error(`${String(error)}\n${tails([a, b])}`);
      },
    );
    // Each partition A gave up was paused when A let go of it.
    for (const partition of ownership(b).get(topic)!) {
      const revokedAt = lastTime(a, 'partitions revoked', topic, partition)!;
      const last = a
        .logs()
        .filter(
          (l) =>
            (l.msg === activated || l.msg === resolved) &&
            l.partition === partition &&
            Date.parse(String(l.time)) <= revokedAt,
        )
        .at(-1);
      assert.equal(last?.msg, activated, `${topic}/${partition} was paused when A gave it up\n${tails([a])}`);
    }

    assert.equal(await b.kill('SIGTERM'), 0, tails([b]));
    await waitForAllPartitions(scenario, a, 60_000);
  } finally {
    await locker.end();
    await producing.stop();
  }
  await waitForAllProduced(scenario, 60_000).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${tails([a!])}`);
  });
  assert.equal(await a!.kill('SIGTERM'), 0, tails([a!]));
  await assertExactlyOnce(scenario, 'after the paused partitions came back');
});

/**
 * librdkafka's close sends no LeaveGroup from a member that owns nothing in the middle of a cooperative
 * rebalance; the group would wait out that member's session timeout before the partition meant for it
 * found an owner again. The sink unsubscribes before closing, which always leaves. With a 60 s session
 * timeout, A owning everything again well before that can only come from B leaving.
 */
const joinThenLeave = new SinkScenario(1, 3, 'kms_inst');

before(() => joinThenLeave.setup());
after(() => joinThenLeave.cleanup());

test('an instance stopped while it joins, before it owns anything, leaves the group at once', async (t) => {
  const scenario = joinThenLeave;
  const topic = scenario.topics[0]!;
  const settings = { 'kafka.session.timeout.ms': 60_000 };
  await scenario.produceSequenced(topic, 300);
  const a = scenario.startSink(settings, 'A');
  let b: SinkProcess | undefined;
  try {
    await scenario.waitForOffsets(topic, () => 300);
    b = scenario.startSink(settings, 'B');
    await a.waitForLog(
      'A gives up a partition for B',
      (line) => line.msg === 'partitions revoked' && (line.partitions as number[]).length > 0,
    );
    const ownedByB = ownership(b).get(topic)?.size ?? 0;
    assert.equal(await b.kill('SIGTERM'), 0, tails([b]));
    t.diagnostic(`B owned ${ownedByB} partition(s) when it was stopped`);
    await waitFor('A owns all partitions again', () => (ownership(a).get(topic)?.size ?? 0) === scenario.partitions, {
      timeoutMs: 30_000,
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${tails([a, b!])}`);
    });
    await scenario.produceSequenced(topic, 100);
    await scenario.waitForOffsets(topic, () => 400);
  } finally {
    await b?.kill('SIGKILL');
    assert.equal(await a.kill('SIGTERM'), 0, tails([a]));
  }
  await assertExactlyOnce(scenario, 'after B left');
});
