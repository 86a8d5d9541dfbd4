import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAvroSchema } from '../../src/avro/avro-schema.ts';
import type { ResultRow } from '../../src/mysql/pool.ts';
import { ITEM_ENVELOPE_SCHEMA, ITEM_KEY_SCHEMA, type Item, itemEvent } from '../fixtures/debezium.ts';
import { encodeWire } from '../fixtures/wire-format.ts';
import { SinkScenario } from './helpers/sink-harness.ts';
import type { RawMessage } from './helpers/sink-records.ts';

/**
 * `sink.cdc.format=debezium` on hand-built Debezium change events (the envelope and key schemas Debezium's
 * MariaDB connector writes): snapshot reads, creates and updates upsert the after row, deletes remove the
 * row by the record key and their tombstones are skipped, a row deleted and created again comes back;
 * malformed events are dead letters with their reasons; the sink is killed with SIGKILL halfway.
 */
const scenario = new SinkScenario(1, 1, 'kms_cdc');
before(() => scenario.setup());
after(() => scenario.cleanup());

const KEY = parseAvroSchema(ITEM_KEY_SCHEMA);
const VALUE = parseAvroSchema(ITEM_ENVELOPE_SCHEMA);
const T0 = Date.UTC(2024, 0, 31, 12, 0, 0);

type Event = { id: number; op?: string; before?: Item | null; after?: Item | null } | { tombstone: number };

/** Events at offsets first, first + 1, …; the event at offset n has source timestamp T0 + n seconds. */
async function produce(topic: string, first: number, events: Event[]): Promise<void> {
  const keyId = await scenario.registry.register(`${topic}-key`, ITEM_KEY_SCHEMA);
  const valueId = await scenario.registry.register(`${topic}-value`, ITEM_ENVELOPE_SCHEMA);
  const messages: RawMessage[] = events.map((event, i) => {
    const id = 'tombstone' in event ? event.tombstone : event.id;
    const key = encodeWire(keyId, KEY.toBuffer({ id }));
    if ('tombstone' in event) return { partition: 0, key, value: null };
    const value = itemEvent(event.op ?? '', event.before ?? null, event.after ?? null, T0 + (first + i) * 1000);
    return { partition: 0, key, value: encodeWire(valueId, VALUE.toBuffer(value)) };
  });
  await scenario.produceRaw(topic, messages);
}

const item = (id: number, name: string | null, price: string): Item => ({ id, name, price });
const CDC = {
  'sink.cdc.format': 'debezium',
  'sink.cdc.columns': 'op,source.ts_ms',
  'sink.pk.mode': 'record_key',
  'sink.insert.mode': 'upsert',
  'sink.batch.max.records': 4,
};

test('Debezium change events: c/r/u upsert, d deletes by key, tombstones skipped, bad events dead-lettered, across a SIGKILL', async () => {
  const topic = scenario.topics[0]!;
  await produce(topic, 0, [
    { id: 1, op: 'r', after: item(1, 'apple', '1.00') }, // 0
    { id: 2, op: 'r', after: item(2, 'pear', '2.00') }, // 1
    { id: 3, op: 'c', after: item(3, '배', '3.00') }, // 2
    { id: 1, op: 'u', before: item(1, 'apple', '1.00'), after: item(1, 'apple', '1.10') }, // 3
    { id: 2, op: 'd', before: item(2, 'pear', '2.00') }, // 4
    { tombstone: 2 }, // 5
    { id: 4, op: 'c', after: item(4, null, '4.00') }, // 6
  ]);
  const first = scenario.startSink({ 'kafka.topics': topic, ...CDC }, 'first');
  await scenario.waitForOffsets(topic, () => 7);
  assert.equal(await first.kill('SIGKILL'), null);

  const later: Event[] = [
    { id: 3, op: 'u', before: item(3, '배', '3.00'), after: item(3, '배', '3.30') }, // 7
    { id: 4, op: 'd', before: item(4, null, '4.00') }, // 8
    { tombstone: 4 }, // 9
    { id: 2, op: 'c', after: item(2, 'pear again', '2.20') }, // 10
    { id: 9, op: '', after: item(9, 'no op', '9.00') }, // 11
    { id: 9, op: 'x', after: item(9, 'unknown op', '9.00') }, // 12
    { id: 9, op: 'c', after: null }, // 13
    { id: 5, op: 'c', after: item(5, 'plum', '5.00') }, // 14
  ];
  await produce(topic, 7, later);
  const second = scenario.startSink({ 'kafka.topics': topic, ...CDC }, 'second');
  await scenario.waitForOffsets(topic, () => 15);
  assert.equal(await second.kill('SIGTERM'), 0);

  const [rows] = await scenario.admin.query<ResultRow[]>(
    `SELECT id, name, price, __op AS op, CAST(__source_ts_ms AS CHAR) AS ts, _kafka_offset AS o
       FROM \`${scenario.database}\`.\`${topic}\` ORDER BY id`,
  );
  const at = (offset: number): string => new Date(T0 + offset * 1000).toISOString().replace('T', ' ').slice(0, 23);
  assert.deepEqual(
    rows.map((r) => ({ ...r })),
    [
      { id: 1, name: 'apple', price: '1.10', op: 'u', ts: at(3), o: 3 },
      { id: 2, name: 'pear again', price: '2.20', op: 'c', ts: at(10), o: 10 },
      { id: 3, name: '배', price: '3.30', op: 'u', ts: at(7), o: 7 },
      { id: 5, name: 'plum', price: '5.00', op: 'c', ts: at(14), o: 14 },
    ],
  );
  assert.deepEqual(
    (await scenario.deadLetters(topic)).map((d) => [Number(d.offset), d.error_kind, d.error_message]),
    [
      [11, 'VALUE_REJECTED', 'Debezium change event without op'],
      [12, 'VALUE_REJECTED', 'Debezium change event with op "x": only c, r, u and d are applied'],
      [13, 'VALUE_REJECTED', 'Debezium change event with op c but no after'],
    ],
  );
  const [[table]] = await scenario.admin.query<ResultRow[]>(`SHOW CREATE TABLE \`${scenario.database}\`.\`${topic}\``);
  assert.match(String(table!['Create Table']), /`id` int\(11\) NOT NULL,/);
  assert.match(String(table!['Create Table']), /`name` varchar\(40\) DEFAULT NULL,/);
  assert.match(String(table!['Create Table']), /`__op` char\(1\) NOT NULL,/);
  assert.match(String(table!['Create Table']), /PRIMARY KEY \(`id`\)/);
});
