import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAvroSchema } from '../../src/avro/avro-schema.ts';
import type { ResultRow } from '../../src/mysql/pool.ts';
import { encodeWire } from '../fixtures/wire-format.ts';
import { SinkScenario } from './helpers/sink-harness.ts';
import type { RawMessage } from './helpers/sink-records.ts';
import { connectSemantic, sourceColumn } from '../fixtures/debezium.ts';

/**
 * Column types that fit the data: a flattened Debezium row (semantic types, source column hints as
 * column.propagate.source.type writes them) becomes the table the source had, with exact values; a
 * `sink.column.type.<field>` override wins; with sink.auto.evolve a string too long for its column widens
 * it (TEXT, then MEDIUMTEXT) instead of being dead-lettered, except in a key column.
 */
const scenario = new SinkScenario(4, 1, 'kms_types');
before(() => scenario.setup());
after(() => scenario.cleanup());

const ROW_SCHEMA = {
  type: 'record',
  name: 'Value',
  namespace: 'dbserver1.shop.items',
  fields: [
    { name: 'code', type: sourceColumn('string', 'VARCHAR', 8) },
    { name: 'active', type: sourceColumn('int', 'TINYINT', 1, { 'connect.type': 'int16' }) },
    { name: 'born', type: ['null', connectSemantic('int', 'io.debezium.time.Date')], default: null },
    { name: 'seen_at', type: connectSemantic('long', 'io.debezium.time.MicroTimestamp') },
    { name: 'changed_at', type: connectSemantic('string', 'io.debezium.time.ZonedTimestamp') },
    { name: 'took', type: connectSemantic('long', 'io.debezium.time.MicroTime') },
    { name: 'size', type: connectSemantic('string', 'io.debezium.data.Enum', { allowed: 'S,M,XL' }) },
    { name: 'doc', type: ['null', connectSemantic('string', 'io.debezium.data.Json')], default: null },
    { name: 'flags', type: connectSemantic('bytes', 'io.debezium.data.Bits', { length: '12' }) },
    { name: 'notes', type: 'string' },
    { name: 'memo', type: 'string' },
  ],
};

function row(code: string, notes: string, extra: object = {}): object {
  return {
    code,
    active: 1,
    born: 19753,
    seen_at: 1706708710123456,
    changed_at: '2024-01-31T13:45:10.250+02:00',
    took: -3_723_000_001,
    size: 'XL',
    doc: '{"k": ["v", 1]}',
    flags: Buffer.from([0x01, 0x0a]),
    notes,
    memo: 'm'.repeat(1000),
    ...extra,
  };
}

async function produce(topic: string, rows: object[], schema: object = ROW_SCHEMA): Promise<void> {
  const schemaId = await scenario.registry.register(`${topic}-value`, schema);
  const type = parseAvroSchema(schema);
  const messages: RawMessage[] = rows.map((value) => ({
    partition: 0,
    key: null,
    value: encodeWire(schemaId, type.toBuffer(value)),
  }));
  await scenario.produceRaw(topic, messages);
}

async function columnTypes(topic: string): Promise<Record<string, string>> {
  const [rows] = await scenario.admin.query<ResultRow[]>(
    'SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable FROM information_schema.COLUMNS ' +
      'WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [scenario.database, topic],
  );
  return Object.fromEntries(
    rows.map((r) => [String(r.name), `${String(r.type)}${r.nullable === 'YES' ? ' null' : ''}`]),
  );
}

const SETTINGS = { 'sink.column.type.memo': 'TEXT', 'sink.pk.fields': 'code', 'sink.insert.mode': 'upsert' };

test('a flattened Debezium row lands in the types its source had, with exact values; too-long strings widen their column', async () => {
  const topic = scenario.topics[0]!;
  await produce(topic, [
    row('A1', 'short'),
    row('A2', 'n'.repeat(300)), // past VARCHAR(255): the column becomes TEXT
    row('A3', '가'.repeat(30_000)), // 90000 bytes: past TEXT, the column becomes MEDIUMTEXT
    row('A4-too-long', 'x'), // a key column is never widened (TEXT cannot be a key): dead letter
    row('A5', 'x', { born: null, doc: null, took: 0 }),
  ]);
  const sink = scenario.startSink({ 'kafka.topics': topic, ...SETTINGS });
  await scenario.waitForOffsets(topic, () => 5);
  assert.equal(await sink.kill('SIGTERM'), 0);

  assert.deepEqual(await columnTypes(topic), {
    code: 'varchar(8)',
    active: 'tinyint(1)',
    born: 'date null',
    seen_at: 'datetime(6)',
    changed_at: 'datetime(6)',
    took: 'time(6)',
    size: 'varchar(2)',
    doc: 'longtext null',
    flags: 'bit(12)',
    notes: 'mediumtext',
    memo: 'text',
    _kafka_partition: 'int(11)',
    _kafka_offset: 'bigint(20)',
    _kafka_timestamp: 'datetime(3) null',
  });
  const [rows] = await scenario.admin.query<ResultRow[]>(
    `SELECT code, active, CAST(born AS CHAR) AS born, CAST(seen_at AS CHAR) AS seen_at,
            CAST(changed_at AS CHAR) AS changed_at, CAST(took AS CHAR) AS took, size, CAST(doc AS CHAR) AS doc, HEX(flags) AS flags,
            CHAR_LENGTH(notes) AS notes, LEFT(notes, 2) AS notes_head, CHAR_LENGTH(memo) AS memo, _kafka_offset AS o
       FROM \`${scenario.database}\`.\`${topic}\` ORDER BY code`,
  );
  const common = {
    active: 1,
    seen_at: '2024-01-31 13:45:10.123456',
    changed_at: '2024-01-31 11:45:10.250000',
    size: 'XL',
    flags: 'A01',
    memo: 1000,
  };
  assert.deepEqual(
    rows.map((r) => ({ ...r })),
    [
      {
        code: 'A1',
        ...common,
        born: '2024-01-31',
        took: '-01:02:03.000001',
        doc: '{"k": ["v", 1]}',
        notes: 5,
        notes_head: 'sh',
        o: 0,
      },
      {
        code: 'A2',
        ...common,
        born: '2024-01-31',
        took: '-01:02:03.000001',
        doc: '{"k": ["v", 1]}',
        notes: 300,
        notes_head: 'nn',
        o: 1,
      },
      {
        code: 'A3',
        ...common,
        born: '2024-01-31',
        took: '-01:02:03.000001',
        doc: '{"k": ["v", 1]}',
        notes: 30000,
        notes_head: '가가',
        o: 2,
      },
      { code: 'A5', ...common, born: null, took: '00:00:00.000000', doc: null, notes: 1, notes_head: 'x', o: 4 },
    ],
  );
  const dead = await scenario.deadLetters(topic);
  assert.deepEqual(
    dead.map((d) => [Number(d.offset), d.error_kind, d.error_message]),
    [[3, 'VALUE_REJECTED', 'field "code": 11 characters do not fit VARCHAR(8)']],
  );
});

test('with sink.auto.evolve=false a too-long string is dead-lettered and the column stays as it was', async () => {
  const topic = scenario.topics[1]!;
  await produce(topic, [row('B1', 'ok'), row('B2', 'n'.repeat(256)), row('B3', 'ok')]);
  const sink = scenario.startSink({ 'kafka.topics': topic, ...SETTINGS, 'sink.auto.evolve': 'false' });
  await scenario.waitForOffsets(topic, () => 3);
  assert.equal(await sink.kill('SIGTERM'), 0);
  assert.equal((await columnTypes(topic)).notes, 'varchar(255)');
  const [rows] = await scenario.admin.query<ResultRow[]>(
    `SELECT code FROM \`${scenario.database}\`.\`${topic}\` ORDER BY code`,
  );
  assert.deepEqual(
    rows.map((r) => r.code),
    ['B1', 'B3'],
  );
  assert.deepEqual(
    (await scenario.deadLetters(topic)).map((d) => [Number(d.offset), d.error_kind, d.error_message]),
    [[1, 'VALUE_REJECTED', 'field "notes": 256 characters do not fit VARCHAR(255)']],
  );
});

test('a new schema version that wants a longer string column (an enum with a longer value) widens it to that length', async () => {
  const topic = scenario.topics[2]!;
  await produce(topic, [row('C1', 'x')]);
  const first = scenario.startSink({ 'kafka.topics': topic, ...SETTINGS }, 'v1');
  await scenario.waitForOffsets(topic, () => 1);
  assert.equal(await first.kill('SIGTERM'), 0);
  assert.equal((await columnTypes(topic)).size, 'varchar(2)');

  const v2 = {
    ...ROW_SCHEMA,
    fields: ROW_SCHEMA.fields.map((f) =>
      f.name === 'size'
        ? { name: 'size', type: connectSemantic('string', 'io.debezium.data.Enum', { allowed: 'S,M,XL,XXL' }) }
        : f,
    ),
  };
  await produce(topic, [row('C2', 'x', { size: 'XXL' })], v2);
  const second = scenario.startSink({ 'kafka.topics': topic, ...SETTINGS }, 'v2');
  await scenario.waitForOffsets(topic, () => 2);
  assert.equal(await second.kill('SIGTERM'), 0);
  assert.equal((await columnTypes(topic)).size, 'varchar(3)', 'the length the schema asks for, not TEXT');
  const [rows] = await scenario.admin.query<ResultRow[]>(
    `SELECT code, size FROM \`${scenario.database}\`.\`${topic}\` ORDER BY code`,
  );
  assert.deepEqual(
    rows.map((r) => [r.code, r.size]),
    [
      ['C1', 'XL'],
      ['C2', 'XXL'],
    ],
  );
  assert.deepEqual(await scenario.deadLetters(topic), []);
});

test('sink.string.type=TINYTEXT makes TINYTEXT columns: a value past 255 bytes is dead-lettered, or widens the column to TEXT', async () => {
  const topic = scenario.topics[3]!;
  const settings = { 'kafka.topics': topic, ...SETTINGS, 'sink.string.type': 'TINYTEXT' };
  // 128 characters, 256 bytes of UTF-8: within a VARCHAR(255) but past TINYTEXT.
  await produce(topic, [row('D1', 'x'.repeat(255)), row('D2', 'é'.repeat(128))]);
  const fixed = scenario.startSink({ ...settings, 'sink.auto.evolve': 'false' }, 'fixed');
  await scenario.waitForOffsets(topic, () => 2);
  assert.equal(await fixed.kill('SIGTERM'), 0);
  assert.equal((await columnTypes(topic)).notes, 'tinytext');
  assert.deepEqual(
    (await scenario.deadLetters(topic)).map((d) => [Number(d.offset), d.error_kind, d.error_message]),
    [[1, 'VALUE_REJECTED', 'field "notes": 256 bytes of UTF-8 do not fit TINYTEXT']],
  );

  await produce(topic, [row('D3', 'é'.repeat(128))]);
  const evolving = scenario.startSink(settings, 'evolving');
  await scenario.waitForOffsets(topic, () => 3);
  assert.equal(await evolving.kill('SIGTERM'), 0);
  assert.equal((await columnTypes(topic)).notes, 'text');
  const [rows] = await scenario.admin.query<ResultRow[]>(
    `SELECT code, CHAR_LENGTH(notes) AS notes FROM \`${scenario.database}\`.\`${topic}\` ORDER BY code`,
  );
  assert.deepEqual(
    rows.map((r) => [r.code, r.notes]),
    [
      ['D1', 255],
      ['D3', 128],
    ],
  );
});
