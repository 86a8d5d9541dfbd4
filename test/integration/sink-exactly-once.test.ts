import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SinkScenario } from './helpers/sink-harness.ts';

/** 3 topics × 3 partitions, 36,000 records: each lands once, in partition order, offsets match. */
const PER_PARTITION = 4_000;
const scenario = new SinkScenario(3, 3);

before(() => scenario.setup());
after(() => scenario.cleanup());

test('every record of 3 topics × 3 partitions is written exactly once, in order', async () => {
  for (const topic of scenario.topics) await scenario.produceSequenced(topic, PER_PARTITION);
  const sink = scenario.startSink({ 'sink.batch.max.records': 500 });
  for (const topic of scenario.topics) await scenario.waitForOffsets(topic, () => PER_PARTITION, 120_000);

  // More records while it runs: they follow the first ones in the same partitions.
  for (const topic of scenario.topics) await scenario.produceSequenced(topic, 1_000);
  for (const topic of scenario.topics) await scenario.waitForOffsets(topic, () => PER_PARTITION + 1_000, 60_000);

  assert.equal(await sink.kill('SIGTERM'), 0, sink.output.slice(-2000));
  for (const topic of scenario.topics) {
    const offsets = await scenario.offsets(topic);
    const state = await scenario.tableState(topic);
    for (let p = 0; p < 3; p++) {
      assert.equal(offsets.get(p), PER_PARTITION + 1_000, `${topic}/${p} stored offset`);
      assert.deepEqual(
        state.get(p),
        { rows: PER_PARTITION + 1_000, distinct: PER_PARTITION + 1_000, ordered: true, maxSeq: PER_PARTITION + 999 },
        `${topic}/${p} rows`,
      );
    }
    assert.equal((await scenario.deadLetters(topic)).length, 0);
  }
  assert.ok(
    sink.logs().some((l) => l.msg === 'kafka-mysql-sink stopped'),
    'graceful stop logged',
  );
});

test('a restarted sink resumes at the stored offsets and writes only new records', async () => {
  const topic = scenario.topics[0]!;
  const before = await scenario.offsets(topic);
  await scenario.produceSequenced(topic, 500);
  const sink = scenario.startSink({}, 'restarted');
  await scenario.waitForOffsets(topic, (p) => before.get(p)! + 500, 60_000);
  await sink.kill('SIGTERM');
  const state = await scenario.tableState(topic);
  for (let p = 0; p < 3; p++) {
    assert.deepEqual(state.get(p), {
      rows: before.get(p)! + 500,
      distinct: before.get(p)! + 500,
      ordered: true,
      maxSeq: before.get(p)! + 499,
    });
  }
  const assigned = sink.logs().find((l) => l.msg === 'partitions assigned' && l.topic === topic) as
    | { offsets: Record<string, number> }
    | undefined;
  assert.deepEqual(
    assigned?.offsets,
    Object.fromEntries([...before].map(([p, o]) => [String(p), o])),
    'started at the stored offsets',
  );
});
