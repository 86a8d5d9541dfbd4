import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Admin } from '@platformatic/kafka';
import { SinkScenario } from './helpers/sink-harness.ts';
import { linesWith, tails } from './helpers/sink-checks.ts';
import type { ResultRow } from '../../src/mysql/pool.ts';

/**
 * Retention deleted records the sink had not read yet (it was stopped for longer than the topic keeps
 * them): the stored offset is below the partition's earliest. The sink says how many records were lost
 * to retention, moves the stored offset to the earliest (only if nobody moved it meanwhile) and goes on
 * from there; what it had written stays, nothing is written twice.
 */
const scenario = new SinkScenario(1, 1, 'kms_gap');

before(() => scenario.setup());
after(() => scenario.cleanup());

async function deleteRecordsBelow(topic: string, offset: number): Promise<void> {
  const admin = new Admin({ clientId: 'kms-test-gap', bootstrapBrokers: [scenario.bootstrap] });
  try {
    const [deleted] = await admin.deleteRecords({
      topics: [{ name: topic, partitions: [{ partition: 0, offset: BigInt(offset) }] }],
    });
    assert.equal(deleted?.partitions[0]?.lowWatermark, BigInt(offset));
  } finally {
    await admin.close();
  }
}

test('records deleted by retention before they were read: one warning with the gap, then on from the earliest', async () => {
  const topic = scenario.topics[0]!;
  await scenario.produceSequenced(topic, 100);
  const first = scenario.startSink({}, 'first');
  await scenario.waitForOffsets(topic, () => 100);
  assert.equal(await first.kill('SIGTERM'), 0, tails([first]));

  await scenario.produceSequenced(topic, 100);
  await deleteRecordsBelow(topic, 150);
  const second = scenario.startSink({}, 'second');
  await scenario.waitForOffsets(topic, () => 200);
  assert.equal(await second.kill('SIGTERM'), 0, tails([second]));

  const gaps = linesWith(
    second,
    '50 records were deleted by retention before they were read; continuing at the earliest available offset',
  );
  assert.equal(gaps.length, 1, tails([second]));
  assert.deepEqual(
    { stored: gaps[0]!.stored, earliest: gaps[0]!.earliest, gap: gaps[0]!.gap },
    { stored: 100, earliest: 150, gap: 50 },
  );
  const [rows] = await scenario.admin.query<ResultRow[]>(
    `SELECT _kafka_offset AS o FROM \`${scenario.database}\`.\`${topic}\` ORDER BY _kafka_offset`,
  );
  const offsets = rows.map((r) => Number(r.o));
  const expected = [...Array.from({ length: 100 }, (_, i) => i), ...Array.from({ length: 50 }, (_, i) => 150 + i)];
  assert.deepEqual(offsets, expected, 'offsets 0-99 from the first run, 150-199 after the gap, each once');
  assert.equal((await scenario.offsets(topic)).get(0), 200);
  assert.deepEqual(await scenario.deadLetters(topic), []);
});
