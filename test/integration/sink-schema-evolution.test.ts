import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAvroSchema } from '../../src/avro/avro-schema.ts';
import type { ResultRow } from '../../src/mysql/pool.ts';
import { encodeWire } from '../fixtures/wire-format.ts';
import { SinkScenario } from './helpers/sink-harness.ts';
import { avroRecord } from '../../kit/tools/avro-record.ts';

/**
 * Schema evolution end to end, on one partition: version 2 of a value schema adds a field with a
 * default, promotes int→long and float→double, and drops a nullable and a required field; records of version 1 arrive
 * again after version 2; the sink is killed with SIGKILL between the versions. The table follows
 * (sink.auto.evolve), and every record lands once with exact values. An incompatible change (string →
 * int), or any change with sink.auto.evolve=false, stops the partition with one clear line.
 */
const scenario = new SinkScenario(3, 1, 'kms_evolve');
before(() => scenario.setup());
after(() => scenario.cleanup());

const V1 = avroRecord(
  'kms.evolve.Item',
  { id: 'int', qty: 'int', score: 'float', note: ['null', 'string'], legacy: 'int' },
  { note: null },
);
const V2 = avroRecord(
  'kms.evolve.Item',
  { id: 'int', qty: 'long', score: 'double', region: 'string' },
  { region: 'eu' },
);

async function produce(topic: string, schema: object, values: object[]): Promise<void> {
  const id = await scenario.registry.register(`${topic}-value`, schema);
  const type = parseAvroSchema(schema);
  await scenario.produceRaw(
    topic,
    values.map((value) => ({ partition: 0, key: null, value: encodeWire(id, type.toBuffer(value)) })),
  );
}

async function columns(topic: string): Promise<string[]> {
  const [rows] = await scenario.admin.query<ResultRow[]>(
    'SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS def ' +
      'FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [scenario.database, topic],
  );
  return rows.map(
    (r) =>
      `${String(r.name)} ${String(r.type)}${r.nullable === 'YES' ? ' null' : ''}` +
      (r.def === null || r.def === 'NULL' ? '' : ` default ${String(r.def)}`),
  );
}

test('a table follows v1 → v2 (added field with default, int→long, float→double, dropped nullable and required fields), old records after new ones, across a SIGKILL', async () => {
  const topic = scenario.topics[0]!;
  await produce(topic, V1, [
    { id: 1, qty: 10, score: 1.5, note: 'first', legacy: 7 },
    { id: 2, qty: 20, score: 2.25, note: null, legacy: 8 },
  ]);
  const first = scenario.startSink({ 'kafka.topics': topic }, 'v1');
  await scenario.waitForOffsets(topic, () => 2);
  assert.equal(await first.kill('SIGKILL'), null);

  await produce(topic, V2, [
    { id: 3, qty: 2 ** 40, score: 0.1, region: 'us' },
    { id: 4, qty: -(2 ** 53) + 1, score: 1e300, region: 'eu' },
  ]);
  await produce(topic, V1, [{ id: 5, qty: 50, score: -0.5, note: 'old writer', legacy: 9 }]);
  const second = scenario.startSink({ 'kafka.topics': topic }, 'v2');
  await scenario.waitForOffsets(topic, () => 5);
  assert.equal(await second.kill('SIGKILL'), null);

  assert.deepEqual(await columns(topic), [
    'id int(11)',
    'qty bigint(20)',
    'score double',
    'note varchar(255) null',
    'legacy int(11) null', // NOT NULL until v2 dropped the field
    '_kafka_partition int(11)',
    '_kafka_offset bigint(20)',
    '_kafka_timestamp datetime(3) null',
    "region varchar(255) null default 'eu'",
  ]);
  const [rows] = await scenario.admin.query<ResultRow[]>(
    `SELECT id, qty, score, note, legacy, region, _kafka_offset AS o FROM \`${scenario.database}\`.\`${topic}\` ORDER BY o`,
  );
  assert.deepEqual(
    rows.map((r) => ({ ...r })),
    [
      { id: 1, qty: 10, score: 1.5, note: 'first', legacy: 7, region: 'eu', o: 0 },
      { id: 2, qty: 20, score: 2.25, note: null, legacy: 8, region: 'eu', o: 1 },
      { id: 3, qty: 2 ** 40, score: 0.1, note: null, legacy: null, region: 'us', o: 2 },
      { id: 4, qty: -(2 ** 53) + 1, score: 1e300, note: null, legacy: null, region: 'eu', o: 3 },
      { id: 5, qty: 50, score: -0.5, note: 'old writer', legacy: 9, region: 'eu', o: 4 },
    ],
  );
  assert.deepEqual(await scenario.deadLetters(topic), []);
});

test('an incompatible change (string → int) stops the partition with one clear line; nothing of it is written', async () => {
  const topic = scenario.topics[1]!;
  const before = avroRecord('kms.evolve.Item', { id: 'int', code: 'string' });
  const changed = avroRecord('kms.evolve.Item', { id: 'int', code: 'int' });
  await produce(topic, before, [{ id: 1, code: 'A' }]);
  const sink = scenario.startSink({ 'kafka.topics': topic }, 'incompatible');
  await scenario.waitForOffsets(topic, () => 1);
  await produce(topic, changed, [{ id: 2, code: 7 }]);
  await sink.waitForLog('the partition stops', (line) => /partition stopped/.test(String(line.msg)));
  const stopped = sink.logs().find((line) => /partition stopped/.test(String(line.msg)))!;
  assert.equal(stopped.level, 'ERROR');
  assert.match(
    String(stopped.err),
    /^table `[^`]+` column `code` is varchar\(255\), but a record schema makes it INT: an incompatible change no table change can follow; migrate the table or use a new topic$/,
  );
  assert.deepEqual(await scenario.offsets(topic), new Map([[0, 1]]));
  assert.equal(await sink.kill('SIGTERM'), 0);
});

test('with sink.auto.evolve=false a new field stops the partition with one clear line', async () => {
  const topic = scenario.topics[2]!;
  await produce(topic, V1, [{ id: 1, qty: 1, score: 1, note: null, legacy: 1 }]);
  await produce(topic, V2, [{ id: 2, qty: 2, score: 2, region: 'eu' }]);
  const sink = scenario.startSink({ 'kafka.topics': topic, 'sink.auto.evolve': 'false' }, 'frozen');
  await sink.waitForLog('the partition stops', (line) => /partition stopped/.test(String(line.msg)));
  const stopped = sink.logs().find((line) => /partition stopped/.test(String(line.msg)))!;
  assert.match(
    String(stopped.err),
    /^table `[^`]+` column `qty` is int\(11\), the schema needs BIGINT; alter it or set sink\.auto\.evolve=true$/,
  );
  assert.deepEqual(await scenario.offsets(topic), new Map([[0, 0]]), 'v1 and v2 share a batch: neither is written');
  assert.equal(await sink.kill('SIGTERM'), 0);
});
