import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAvroSchema } from '../../src/avro/avro-schema.ts';
import type { ResultRow } from '../../src/mysql/pool.ts';
import { encodeWire } from '../fixtures/wire-format.ts';
import { SEQUENCED_SCHEMA, SinkScenario } from './helpers/sink-harness.ts';
import { type RawMessage, Sequencer, sequenced } from './helpers/sink-records.ts';
import { uniqueName } from './helpers/unique.ts';

/**
 * A record whose schema id is valid but registered under another subject (another topic's value
 * schema) is set aside before it can touch the table, and a row the database refuses for its data
 * (here an operator's CHECK constraint, 4025) is isolated in its batch: the records around them are
 * written. With errors.tolerance=none the partition commits everything before the bad
 * record and stops at it, and a restart stops at the same place; with tolerance all it goes on.
 */
const scenario = new SinkScenario(2, 3, 'kms_subject');
const [LENIENT, STRICT] = scenario.topics as [string, string];
const OTHER_SUBJECT = `${uniqueName('kms_other')}-value`;
const FOREIGN_SCHEMA = {
  type: 'record',
  name: 'foreign',
  // A namespace of its own: the same schema text from an earlier run would share its id and subjects.
  namespace: `kms.test.${OTHER_SUBJECT.replace('-value', '')}`,
  fields: [
    { name: 'customer', type: 'string' },
    { name: 'total', type: 'long' },
  ],
};
const BAD_AT = 10;
const COLUMNS = [
  'key_field',
  'seq',
  'produced_at',
  'note',
  'amount',
  '_kafka_partition',
  '_kafka_offset',
  '_kafka_timestamp',
].sort();

before(() => scenario.setup());
after(() => scenario.cleanup());

interface Ids {
  good: number;
  foreign: number;
}

/** The topic's table as an operator made it, with a CHECK constraint the model knows nothing of. */
async function setUp(topic: string): Promise<Ids> {
  await scenario.admin.query(`CREATE TABLE \`${scenario.database}\`.\`${topic}\` (
    key_field VARCHAR(255) NOT NULL, seq BIGINT NOT NULL, produced_at BIGINT NOT NULL, note VARCHAR(255) NOT NULL, amount DOUBLE NOT NULL,
    _kafka_partition INT NOT NULL, _kafka_offset BIGINT NOT NULL, _kafka_timestamp DATETIME(3) NULL,
    PRIMARY KEY (_kafka_partition, _kafka_offset), CONSTRAINT amount_not_negative CHECK (amount >= 0))`);
  const good = await scenario.registry.register(`${topic}-value`, SEQUENCED_SCHEMA);
  const foreign = await scenario.registry.register(OTHER_SUBJECT, FOREIGN_SCHEMA);
  return { good, foreign };
}

/** p0: 10 good, a foreign-subject record, 9 good; p1: 10 good, a row the CHECK refuses, 9 good; p2: 20 good. */
function messages(ids: Ids, seq: Sequencer): RawMessage[] {
  const foreign: RawMessage = {
    partition: 0,
    key: Buffer.from('foreign'),
    value: encodeWire(ids.foreign, parseAvroSchema(FOREIGN_SCHEMA).toBuffer({ customer: 'c-1', total: 42 })),
  };
  const refused = sequenced(ids.good, 1, -1, { key_field: 'negative', amount: -1 });
  return [
    ...seq.next(0, BAD_AT),
    foreign,
    ...seq.next(0, 9),
    ...seq.next(1, BAD_AT),
    refused,
    ...seq.next(1, 9),
    ...seq.next(2, 20),
  ];
}

async function columns(topic: string): Promise<string[]> {
  const [rows] = await scenario.admin.query<ResultRow[]>(
    'SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [scenario.database, topic],
  );
  return rows.map((r) => String(r.c)).sort();
}

/** One batch: every record of a partition arrives before the first batch is cut. */
const ONE_BATCH = { 'sink.batch.max.records': 50, 'sink.batch.linger.ms': 500 };

test('tolerance all: the foreign-subject record and the refused row are dead letters, the table keeps its columns, the rest is written', async () => {
  const ids = await setUp(LENIENT);
  const seq = new Sequencer(ids.good);
  await scenario.produceRaw(LENIENT, messages(ids, seq));
  const sink = scenario.startSink({ 'kafka.topics': LENIENT, ...ONE_BATCH });
  await scenario.waitForOffsets(LENIENT, () => 20, 60_000);
  assert.equal(await sink.kill('SIGTERM'), 0, sink.output.slice(-3000));

  assert.deepEqual(await columns(LENIENT), COLUMNS, 'the foreign schema added no column');
  const letters = await scenario.deadLetters(LENIENT);
  assert.deepEqual(
    letters.map((l) => [Number(l.partition), Number(l.offset), l.error_kind]),
    [
      [0, BAD_AT, 'SCHEMA_SUBJECT_MISMATCH'],
      [1, BAD_AT, 'VALUE_REJECTED'],
    ],
  );
  assert.match(
    String(letters[0]!.error_message),
    new RegExp(
      `^schema id ${ids.foreign} is registered under "${OTHER_SUBJECT}", not under "${LENIENT}-value", the subject of topic "${LENIENT}" \\(kafka\\.value\\.subject\\.name\\.strategy=TopicNameStrategy\\); the table was not changed$`,
    ),
  );
  assert.match(
    String(letters[1]!.error_message),
    /database rejected the row: .*CONSTRAINT `amount_not_negative` failed/,
  );

  const state = await scenario.tableState(LENIENT);
  const offsets = await scenario.offsets(LENIENT);
  for (let p = 0; p < 3; p++) {
    assert.equal(offsets.get(p), 20, `${LENIENT}/${p}: offset`);
    const good = seq.count(p);
    assert.deepEqual(state.get(p), { rows: good, distinct: good, ordered: true, maxSeq: good - 1 }, `${LENIENT}/${p}`);
  }
  const warned = sink.logs().filter((l) => l.level === 'WARN' && String(l.msg).startsWith('dead letter:'));
  assert.deepEqual(
    warned.map((l) => [l.partition, l.offset, l.schemaId, l.reason]).sort((a, b) => Number(a[0]) - Number(b[0])),
    [
      [0, BAD_AT, ids.foreign, 'SCHEMA_SUBJECT_MISMATCH'],
      [1, BAD_AT, ids.good, 'VALUE_REJECTED'],
    ],
  );
  assert.ok(!sink.logs().some((l) => l.level === 'ERROR'), 'no partition stopped');
});

test('tolerance none: everything before the bad record is committed and the partition stops at it, also after a restart; tolerance all then goes on', async () => {
  const ids = await setUp(STRICT);
  const seq = new Sequencer(ids.good);
  await scenario.produceRaw(STRICT, messages(ids, seq));
  const strict = { 'kafka.topics': STRICT, 'errors.tolerance': 'none', ...ONE_BATCH };

  for (const run of ['first run', 'after a restart']) {
    const sink = scenario.startSink(strict, run);
    await scenario.waitForOffsets(STRICT, (p) => (p === 2 ? 20 : BAD_AT), 60_000);
    for (const p of [0, 1]) {
      await sink.waitForLog(`${STRICT}/${p} stopped`, (l) => l.level === 'ERROR' && l.partition === p);
    }
    const stops = sink.logs().filter((l) => l.level === 'ERROR');
    assert.deepEqual(stops.map((l) => l.partition).sort(), [0, 1], `${run}: partitions 0 and 1 stopped`);
    const reason = (p: number) => String(stops.find((l) => l.partition === p)?.err);
    assert.match(reason(0), new RegExp(`${STRICT}/0@${BAD_AT} .*SCHEMA_SUBJECT_MISMATCH: schema id ${ids.foreign} `));
    assert.match(reason(1), new RegExp(`${STRICT}/1@${BAD_AT} not written \\(VALUE_REJECTED: .*amount_not_negative`));
    assert.equal(await sink.kill('SIGTERM'), 0, sink.output.slice(-3000));

    const offsets = await scenario.offsets(STRICT);
    const state = await scenario.tableState(STRICT);
    assert.deepEqual(
      [0, 1, 2].map((p) => offsets.get(p)),
      [BAD_AT, BAD_AT, 20],
      `${run}: stored offsets stop at the bad records`,
    );
    for (const p of [0, 1])
      assert.deepEqual(
        state.get(p),
        { rows: BAD_AT, distinct: BAD_AT, ordered: true, maxSeq: BAD_AT - 1 },
        `${run}: p${p}`,
      );
    assert.deepEqual(state.get(2), { rows: 20, distinct: 20, ordered: true, maxSeq: 19 });
    assert.deepEqual(await columns(STRICT), COLUMNS, `${run}: the table kept its columns`);
    assert.equal((await scenario.deadLetters(STRICT)).length, 0, `${run}: nothing dead-lettered`);
  }

  // The operator accepts the loss: with tolerance all the partitions go on from where they stopped.
  const lenient = scenario.startSink({ ...strict, 'errors.tolerance': 'all' }, 'tolerance all');
  await scenario.waitForOffsets(STRICT, () => 20, 60_000);
  assert.equal(await lenient.kill('SIGTERM'), 0, lenient.output.slice(-3000));
  assert.deepEqual(
    (await scenario.deadLetters(STRICT)).map((l) => [Number(l.partition), Number(l.offset), l.error_kind]),
    [
      [0, BAD_AT, 'SCHEMA_SUBJECT_MISMATCH'],
      [1, BAD_AT, 'VALUE_REJECTED'],
    ],
  );
  const state = await scenario.tableState(STRICT);
  for (let p = 0; p < 3; p++) {
    const good = seq.count(p);
    assert.deepEqual(state.get(p), { rows: good, distinct: good, ordered: true, maxSeq: good - 1 }, `${STRICT}/${p}`);
  }
  assert.deepEqual(await columns(STRICT), COLUMNS);
});
