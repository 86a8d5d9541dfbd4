import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { SinkScenario } from './helpers/sink-harness.ts';
import { waitFor } from './helpers/wait.ts';
import type { Connection } from '../../src/mysql/pool.ts';
import { rootConnection } from './helpers/services.ts';

/**
 * A writer slowed for real: a test connection holds the row lock on partition 0's kafka_offsets row,
 * so that partition's batch transaction waits in SELECT ... FOR UPDATE. Its queue fills, the partition
 * pauses (WARN), the other partitions keep committing, memory stays flat with a 100k-record backlog,
 * and once the lock is gone the partition resumes (WARN) and every record lands once.
 */
const WARMUP = 100;
const BACKLOG = 33_334; // per partition: ~100k records in all
const RSS_LIMIT_MB = 400;
const SINK_LOCK_WAIT_S = 10; // innodb_lock_wait_timeout of the sink's sessions (src/mysql/pool.ts)
const ACTIVATED = 'Backpressure activated and message processing stopped...';
const RESOLVED = 'Backpressure has been resolved. Resuming message processing...';

const scenario = new SinkScenario(1, 3, 'kms_bp');
const topic = scenario.topics[0]!;
let locker: Connection | undefined;
let sampler: NodeJS.Timeout | undefined;

before(() => scenario.setup());
after(async () => {
  clearInterval(sampler);
  await locker?.end().catch(() => {});
  await scenario.cleanup();
});

test('a blocked partition pauses and resumes with the WARN lines, others go on, RSS stays bounded, exactly once', async (t) => {
  await scenario.produceSequenced(topic, WARMUP);
  const sink = scenario.startSink({ 'blocking.queue.size': 200, 'max.poll.records': 50, 'sink.batch.max.records': 50 });
  await scenario.waitForOffsets(topic, () => WARMUP);
  let peakRssMb = sink.rssMb();
  sampler = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, sink.rssMb());
  }, 100);

  // Hold partition 0's offset row: its next batch transaction blocks on the fence lock.
  locker = await rootConnection(scenario.database);
  await locker.query('START TRANSACTION');
  await locker.query('SELECT `offset` FROM kafka_offsets WHERE topic = ? AND `partition` = 0 FOR UPDATE', [topic]);
  const lockedAt = Date.now();
  const linesBeforeLock = sink.logs().length;
  await scenario.produceSequenced(topic, BACKLOG);

  const warn = (msg: string, from: number): number =>
    sink
      .logs()
      .findIndex((l, i) => i >= from && l.level === 'WARN' && l.msg === msg && l.topic === topic && l.partition === 0);
  await sink.waitForLog('partition 0 paused while locked', () => warn(ACTIVATED, linesBeforeLock) >= 0);
  // While partition 0 is blocked, partitions 1 and 2 keep committing.
  await waitFor(
    'partitions 1 and 2 to commit while partition 0 is blocked',
    async () => {
      const offsets = await scenario.offsets(topic);
      return offsets.get(1)! >= WARMUP + 2_000 && offsets.get(2)! >= WARMUP + 2_000;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  // Stay blocked a few seconds: the partition must stay paused, not flap or keep buffering.
  await sleep(Math.max(0, lockedAt + 3_000 - Date.now()));
  const whileLocked = await scenario.offsets(topic);
  assert.equal(whileLocked.get(0), WARMUP, 'partition 0 committed nothing while its row was locked');
  const queued = sink.logs()[warn(ACTIVATED, linesBeforeLock)]!.queued as number;
  assert.ok(queued >= 200 && queued < 200 + 50, `paused at the queue bound (${queued} queued)`);

  const p0WhileLocked = sink
    .logs()
    .slice(linesBeforeLock)
    .filter((l) => l.topic === topic && l.partition === 0 && l.level === 'WARN');
  await locker.query('COMMIT');
  const heldMs = Date.now() - lockedAt;
  assert.deepEqual(
    p0WhileLocked.filter((l) => l.msg !== 'transient failure, batch rolled back; retrying').map((l) => l.msg),
    [ACTIVATED],
    'partition 0 paused once and stayed paused while blocked',
  );

  const activatedAt = warn(ACTIVATED, linesBeforeLock);
  await sink.waitForLog('partition 0 resumed after the lock', () => warn(RESOLVED, activatedAt + 1) >= 0);
  if (heldMs >= SINK_LOCK_WAIT_S * 1000) {
    // Held past the sink's lock wait timeout: the blocked batch must have been retried, not skipped.
    assert.ok(
      sink
        .logs()
        .some(
          (l) =>
            l.level === 'WARN' &&
            l.partition === 0 &&
            l.msg === 'transient failure, batch rolled back; retrying' &&
            /Lock wait timeout/.test(String(l.err)),
        ),
      'lock wait timeout retried',
    );
  }

  await scenario.waitForOffsets(topic, () => WARMUP + BACKLOG, 90_000);
  clearInterval(sampler);
  assert.ok(
    peakRssMb > 0 && peakRssMb < RSS_LIMIT_MB,
    `peak RSS ${peakRssMb.toFixed(0)} MB stays under ${RSS_LIMIT_MB} MB`,
  );
  t.diagnostic(`lock held ${heldMs} ms; paused with ${queued} queued; peak RSS ${peakRssMb.toFixed(0)} MB`);
  assert.equal(await sink.kill('SIGTERM'), 0, sink.output.slice(-2000));

  const offsets = await scenario.offsets(topic);
  const state = await scenario.tableState(topic);
  for (let p = 0; p < 3; p++) {
    assert.equal(offsets.get(p), WARMUP + BACKLOG, `${topic}/${p} stored offset`);
    assert.deepEqual(
      state.get(p),
      { rows: WARMUP + BACKLOG, distinct: WARMUP + BACKLOG, ordered: true, maxSeq: WARMUP + BACKLOG - 1 },
      `${topic}/${p} rows`,
    );
  }
  assert.equal((await scenario.deadLetters(topic)).length, 0);
  // Pause / resume alternate per partition, and each WARN line carries its topic and partition.
  for (let p = 0; p < 3; p++) {
    const states = sink
      .logs()
      .filter(
        (l) =>
          l.level === 'WARN' && l.topic === topic && l.partition === p && (l.msg === ACTIVATED || l.msg === RESOLVED),
      )
      .map((l) => l.msg);
    assert.ok(
      states.every((msg, i) => msg === (i % 2 === 0 ? ACTIVATED : RESOLVED)),
      `${topic}/${p}: activated and resolved alternate`,
    );
  }
});
