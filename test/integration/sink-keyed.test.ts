import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAvroSchema } from '../../src/avro/avro-schema.ts';
import type { ResultRow } from '../../src/mysql/pool.ts';
import { encodeWire } from '../fixtures/wire-format.ts';
import { describeRun, oneLineError, runKms } from './helpers/kms-cli.ts';
import { SEQUENCED_SCHEMA, SinkScenario, type SinkProcess } from './helpers/sink-harness.ts';
import { type RawMessage, sequenced } from './helpers/sink-records.ts';
import { waitForSomeCommitted } from './helpers/sink-checks.ts';
import { waitFor } from './helpers/wait.ts';
import { avroRecord } from '../../kit/tools/avro-record.ts';

/**
 * Tables keyed on the record key (`sink.pk.mode=record_key`): an Avro record key's fields or a raw
 * string key are the primary key; upserts keep the last event per key, tombstones delete
 * (`sink.delete.enabled`), `sink.insert.mode=update` changes existing rows only. Every test ends with the
 * exact table contents a model of the event stream predicts, across a kill -9 of the sink.
 */
const scenario = new SinkScenario(8, 3, 'kms_keyed');
const [CDC, UPDATES, BAD, REKEYED, INSERTS, IGNORES, STRICT, UNKEYED] = scenario.topics as [
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
];
before(() => scenario.setup());
after(() => scenario.cleanup());

const KEY_SCHEMA = avroRecord('kms.test.AccountKey', { id: 'long', region: 'string' });
const VALUE_SCHEMA = avroRecord('kms.test.Account', { id: 'long', name: 'string', amount: 'double' });
const KEY_TYPE = parseAvroSchema(KEY_SCHEMA);
const VALUE_TYPE = parseAvroSchema(VALUE_SCHEMA);
const KEYED = {
  'sink.pk.mode': 'record_key',
  'sink.insert.mode': 'upsert',
  'sink.delete.enabled': 'true',
  'sink.batch.max.records': 40,
};

interface Event {
  partition: number;
  id: number;
  /** undefined: a tombstone. */
  name?: string;
}

/** Row per key the stream leaves: key → [id, region, name, amount, offset of the last write]. */
function expectedRows(events: readonly Event[]): Map<string, unknown[]> {
  const rows = new Map<string, unknown[]>();
  const offsets = new Map<number, number>();
  for (const event of events) {
    const offset = offsets.get(event.partition) ?? 0;
    offsets.set(event.partition, offset + 1);
    const key = `${event.id}/r${event.partition}`;
    if (event.name === undefined) rows.delete(key);
    else rows.set(key, [event.id, `r${event.partition}`, event.name, offset / 4, offset]);
  }
  return rows;
}

/** Events `from..to-1` of each partition: 10 keys per partition, every 9th event a tombstone. */
function stream(from: number, to: number, partitions: number): Event[] {
  const events: Event[] = [];
  for (let partition = 0; partition < partitions; partition++) {
    for (let i = from; i < to; i++) {
      // The first four events of a partition are insert, update, delete, insert of one key, in one batch.
      if (i < 4) {
        events.push({ partition, id: partition, ...(i === 2 ? {} : { name: `first-${i}` }) });
        continue;
      }
      const id = partition + 3 * ((i * 7) % 10);
      events.push({ partition, id, ...(i % 9 === 4 ? {} : { name: `n${i}` }) });
    }
  }
  return events;
}

async function produceEvents(topic: string, events: readonly Event[], start: Map<number, number>): Promise<void> {
  const keyId = await scenario.registry.register(`${topic}-key`, KEY_SCHEMA);
  const valueId = await scenario.registry.register(`${topic}-value`, VALUE_SCHEMA);
  const messages: RawMessage[] = events.map((event) => {
    const offset = start.get(event.partition) ?? 0;
    start.set(event.partition, offset + 1);
    return {
      partition: event.partition,
      key: encodeWire(keyId, KEY_TYPE.toBuffer({ id: event.id, region: `r${event.partition}` })),
      value:
        event.name === undefined
          ? null
          : encodeWire(valueId, VALUE_TYPE.toBuffer({ id: event.id, name: event.name, amount: offset / 4 })),
    };
  });
  await scenario.produceRaw(topic, messages);
}

/**
 * SIGTERM once the sink is past start-up (a sink started after the previous one committed everything has
 * nothing to wait for; signalled before its handlers exist, it would die by the signal), then exit 0.
 */
async function stopGracefully(sink: SinkProcess): Promise<void> {
  await sink.waitForLog('consuming', (line) => line.msg === 'consuming');
  assert.equal(await sink.kill('SIGTERM'), 0, sink.output.slice(-3000));
}

async function tableRows(topic: string, columns: string): Promise<unknown[][]> {
  const [rows] = await scenario.admin.query<ResultRow[]>({
    sql: `SELECT ${columns} FROM \`${scenario.database}\`.\`${topic}\` ORDER BY 1, 2`,
    rowsAsArray: true,
  });
  return (rows as unknown as unknown[][]).map((row) =>
    row.map((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v)),
  );
}

test('record_key + upsert + deletes: the table ends exactly as the last event per key says, across a SIGKILL', async () => {
  const produced = new Map<number, number>();
  const first = stream(0, 150, scenario.partitions);
  await produceEvents(CDC, first, produced);
  const sink = scenario.startSink({ ...KEYED, 'kafka.topics': CDC }, 'cdc-first');
  await waitForSomeCommitted(scenario, CDC, 80);
  assert.equal(await sink.kill('SIGKILL'), null);
  const second = stream(150, 300, scenario.partitions);
  await produceEvents(CDC, second, produced);
  const again = scenario.startSink({ ...KEYED, 'kafka.topics': CDC }, 'cdc-second');
  await scenario.waitForOffsets(CDC, () => 300);
  await stopGracefully(again);

  // The model: per partition the events in offset order (stream() builds each partition's run in order).
  const all = [...first, ...second].sort((a, b) => a.partition - b.partition);
  const byPartition = new Map<number, Event[]>();
  for (const p of [0, 1, 2])
    byPartition.set(p, [...first.filter((e) => e.partition === p), ...second.filter((e) => e.partition === p)]);
  const expected = new Map<string, unknown[]>();
  for (const events of byPartition.values()) for (const [k, v] of expectedRows(events)) expected.set(k, v);
  assert.ok(all.length === 900);
  const want = [...expected.values()].sort(
    (a, b) => (a[0] as number) - (b[0] as number) || String(a[1]).localeCompare(String(b[1])),
  );
  assert.deepEqual(await tableRows(CDC, 'id, region, name, amount, _kafka_offset'), want);
  assert.ok(want.length > 0 && want.length < 30, `some keys deleted, ${want.length} left`);
  assert.deepEqual(
    (await tableRows(CDC, 'id, region, name, amount, _kafka_offset')).filter((r) => r[0] === 0),
    [expected.get('0/r0')],
  );
  assert.deepEqual(
    await scenario.offsets(CDC),
    new Map([
      [0, 300],
      [1, 300],
      [2, 300],
    ]),
  );
  assert.deepEqual(await scenario.deadLetters(CDC), [], 'no dead letters');

  const [[table]] = await scenario.admin.query<ResultRow[]>(`SHOW CREATE TABLE \`${scenario.database}\`.\`${CDC}\``);
  assert.match(String(table!['Create Table']), /PRIMARY KEY \(`id`,`region`\)/);
  assert.doesNotMatch(String(table!['Create Table']), /`id` .*\n.*`id`/, 'the value field id is not a second column');

  const args = ['verify', ...scenario.sets({ ...KEYED, 'kafka.topics': CDC })];
  const verify = await runKms(args, {}, { timeoutMs: 60_000 });
  assert.equal(verify.code, 0, describeRun(args, verify));
  assert.match(verify.stdout, /PASS: 3\/3 partitions match/);
});

test('record_key with a raw string key + update mode: only existing rows change; missing ones are dead-lettered, across a SIGKILL', async () => {
  const schemaId = await scenario.registry.register(`${UPDATES}-value`, SEQUENCED_SCHEMA);
  const keyOf = (p: number, j: number) => `p${p}-k${j}`;
  const produce = async (from: number, to: number, keys: number): Promise<void> => {
    const messages: RawMessage[] = [];
    for (let p = 0; p < scenario.partitions; p++) {
      for (let seq = from; seq < to; seq++)
        messages.push(sequenced(schemaId, p, seq, { key_field: keyOf(p, seq % keys) }));
    }
    await scenario.produceRaw(UPDATES, messages);
  };
  const base = { 'kafka.topics': UPDATES, 'sink.pk.mode': 'record_key', 'sink.key.format': 'string' };
  // Ten rows per partition exist before update mode starts (keys k0..k9).
  await produce(0, 10, 10);
  const seed = scenario.startSink({ ...base, 'sink.insert.mode': 'upsert' }, 'update-seed');
  await scenario.waitForOffsets(UPDATES, () => 10);
  await stopGracefully(seed);

  const update = {
    ...base,
    'sink.insert.mode': 'update',
    'sink.update.missing': 'dead_letter',
    'sink.batch.max.records': 20,
  };
  await produce(10, 110, 15);
  const first = scenario.startSink(update, 'update-first');
  await waitForSomeCommitted(scenario, UPDATES, 50, 'some updates committed');
  assert.equal(await first.kill('SIGKILL'), null);
  const second = scenario.startSink(update, 'update-second');
  await scenario.waitForOffsets(UPDATES, () => 110);
  await stopGracefully(second);

  const want: unknown[][] = [];
  const missing: unknown[][] = [];
  for (let p = 0; p < scenario.partitions; p++) {
    for (let j = 0; j < 10; j++) {
      let last = j; // the seed record
      for (let seq = 10; seq < 110; seq++) if (seq % 15 === j) last = seq;
      want.push([keyOf(p, j), last, p, last]);
    }
    for (let seq = 10; seq < 110; seq++) if (seq % 15 >= 10) missing.push([p, seq, 'UPDATE_MISSING']);
  }
  want.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  const rows = await tableRows(UPDATES, 'kafka_key, seq, _kafka_partition, _kafka_offset');
  assert.deepEqual(rows, want);
  const letters = await scenario.deadLetters(UPDATES);
  assert.deepEqual(
    letters.map((l) => [Number(l.partition), Number(l.offset), l.error_kind]),
    missing,
  );
  assert.match(String(letters[0]!.error_message), /no row with key \(kafka_key=p0-k10\) to update/);

  const args = ['verify', ...scenario.sets(update)];
  const verify = await runKms(args, {}, { timeoutMs: 60_000 });
  assert.equal(verify.code, 0, describeRun(args, verify));
});

test('bad keys and tombstones with deletes off are dead letters with reasons; the partition goes on', async () => {
  const keyId = await scenario.registry.register(`${BAD}-key`, KEY_SCHEMA);
  const shortKeyId = await scenario.registry.register(`${BAD}-key`, {
    type: 'record',
    name: 'AccountKey',
    namespace: 'kms.test',
    fields: [{ name: 'id', type: 'long' }],
  });
  const valueId = await scenario.registry.register(`${BAD}-value`, VALUE_SCHEMA);
  const key = (id: number) => encodeWire(keyId, KEY_TYPE.toBuffer({ id, region: 'eu' }));
  const value = (id: number) => encodeWire(valueId, VALUE_TYPE.toBuffer({ id, name: `n${id}`, amount: id }));
  const shortKey = encodeWire(
    shortKeyId,
    parseAvroSchema({ type: 'record', name: 'K', fields: [{ name: 'id', type: 'long' }] }).toBuffer({ id: 3 }),
  );
  await scenario.produceRaw(BAD, [
    { partition: 0, key: key(1), value: value(1) },
    { partition: 0, key: Buffer.from('not avro'), value: value(2) },
    { partition: 0, key: null, value: value(3) },
    { partition: 0, key: shortKey, value: value(3) },
    { partition: 0, key: key(1), value: null },
    { partition: 0, key: key(4), value: value(4) },
  ]);
  const sink = scenario.startSink(
    { 'kafka.topics': BAD, 'sink.pk.mode': 'record_key', 'sink.pk.fields': 'id,region', 'sink.insert.mode': 'upsert' },
    'bad',
  );
  await scenario.waitForOffsets(BAD, (p) => (p === 0 ? 6 : 0));
  await stopGracefully(sink);
  assert.deepEqual(await tableRows(BAD, 'id, region, name'), [
    [1, 'eu', 'n1'],
    [4, 'eu', 'n4'],
  ]);
  const letters = await scenario.deadLetters(BAD);
  assert.deepEqual(
    letters.map((l) => [Number(l.offset), l.error_kind]),
    [
      [1, 'KEY_REJECTED'],
      [2, 'KEY_REJECTED'],
      [3, 'KEY_REJECTED'],
      [4, 'TOMBSTONE'],
    ],
  );
  assert.match(String(letters[0]!.error_message), /^record key: .*magic byte/);
  assert.match(String(letters[1]!.error_message), /^record key: the record has no key \(null\)/);
  assert.match(
    String(letters[2]!.error_message),
    /^record key: the key schema has no field "region" named in sink\.pk\.fields/,
  );
  assert.match(String(letters[3]!.error_message), /tombstone .* sink\.delete\.enabled=false/);
  assert.deepEqual(letters[0]!.record_key, Buffer.from('not avro'), 'the raw key is kept');
});

test('a table keyed differently from sink.pk.mode=record_key stops the partition with one clear line', async () => {
  const keyId = await scenario.registry.register(`${REKEYED}-key`, KEY_SCHEMA);
  const valueId = await scenario.registry.register(`${REKEYED}-value`, VALUE_SCHEMA);
  const record = (id: number) => ({
    partition: 0,
    key: encodeWire(keyId, KEY_TYPE.toBuffer({ id, region: 'eu' })),
    value: encodeWire(valueId, VALUE_TYPE.toBuffer({ id, name: `n${id}`, amount: id })),
  });
  await scenario.produceRaw(REKEYED, [record(1), record(2)]);
  const appending = scenario.startSink({ 'kafka.topics': REKEYED }, 'append');
  await scenario.waitForOffsets(REKEYED, (p) => (p === 0 ? 2 : 0));
  await stopGracefully(appending);
  await scenario.produceRaw(REKEYED, [record(3)]);
  const sink = scenario.startSink({ 'kafka.topics': REKEYED, ...KEYED }, 'rekeyed');
  await sink.waitForLog('the partition stops', (line) => /partition stopped/.test(String(line.msg)));
  const stopped = sink.logs().find((line) => /partition stopped/.test(String(line.msg)))!;
  assert.match(
    String(stopped.err),
    /^table `.+` has primary key \(_kafka_partition, _kafka_offset\), but the record key \(sink\.pk\.mode=record_key\) gives \(id, region\); alter the table or change sink\.pk\.mode \/ sink\.pk\.fields$/,
  );
  assert.equal((await scenario.offsets(REKEYED)).get(0), 2, 'nothing written with the new key');
  await sink.kill('SIGTERM');
});

test('sink.delete.enabled without record_key is refused at start: exit 2, one line', async () => {
  const args = ['run', ...scenario.sets({ 'kafka.topics': CDC, 'sink.delete.enabled': 'true' })];
  const run = await runKms(args, {}, { timeoutMs: 30_000 });
  assert.equal(run.code, 2, describeRun(args, run));
  assert.match(
    oneLineError(run),
    /sink\.delete\.enabled .* needs sink\.pk\.mode=record_key \(a tombstone names its row only by its key\), but it is kafka/,
  );
});

/**
 * Insert and ignore modes are not reduced per key: each event runs in offset order, so a delete between
 * two inserts of one key lets the second in, and a second insert without one is a duplicate (insert: dead
 * letter; ignore: the first stays).
 */
for (const [mode, topic] of [
  ['insert', INSERTS],
  ['ignore', IGNORES],
] as const) {
  test(`record_key + ${mode} + deletes: events of one key run in offset order, across a SIGKILL`, async () => {
    const schemaId = await scenario.registry.register(`${topic}-value`, SEQUENCED_SCHEMA);
    const write = (seq: number, key: string): RawMessage => sequenced(schemaId, 0, seq, { key_field: key });
    const tombstone = (key: string): RawMessage => ({ partition: 0, key: Buffer.from(key), value: null });
    const settings = {
      'kafka.topics': topic,
      'sink.pk.mode': 'record_key',
      'sink.key.format': 'string',
      'sink.pk.fields': 'account',
      'sink.insert.mode': mode,
      'sink.delete.enabled': 'true',
    };
    // One batch: insert, delete, insert, insert again of k1; k2 once; a delete of a key never written.
    await scenario.produceRaw(topic, [
      write(0, 'k1'),
      tombstone('k1'),
      write(2, 'k1'),
      write(3, 'k1'),
      write(4, 'k2'),
      tombstone('k3'),
    ]);
    const first = scenario.startSink(settings, `${mode}-first`);
    await scenario.waitForOffsets(topic, (p) => (p === 0 ? 6 : 0));
    assert.equal(await first.kill('SIGKILL'), null);
    await scenario.produceRaw(topic, [tombstone('k2'), write(7, 'k2'), write(8, 'k4'), tombstone('k4')]);
    const second = scenario.startSink(settings, `${mode}-second`);
    await scenario.waitForOffsets(topic, (p) => (p === 0 ? 10 : 0));
    await stopGracefully(second);

    assert.deepEqual(await tableRows(topic, 'account, seq, _kafka_offset'), [
      ['k1', 2, 2],
      ['k2', 7, 7],
    ]);
    const letters = await scenario.deadLetters(topic);
    if (mode === 'insert') {
      assert.deepEqual(
        letters.map((l) => [Number(l.offset), l.error_kind]),
        [[3, 'VALUE_REJECTED']],
      );
      assert.match(String(letters[0]!.error_message), /Duplicate entry 'k1'/);
    } else {
      assert.deepEqual(letters, []);
    }
    const args = ['verify', ...scenario.sets(settings)];
    const verify = await runKms(args, {}, { timeoutMs: 60_000 });
    assert.equal(verify.code, 0, describeRun(args, verify));
  });
}

test('errors.tolerance=none: a null key with record_key stops the partition at that record and says why', async () => {
  const schemaId = await scenario.registry.register(`${STRICT}-value`, SEQUENCED_SCHEMA);
  await scenario.produceRaw(STRICT, [
    sequenced(schemaId, 0, 0, { key_field: 'k0' }),
    { ...sequenced(schemaId, 0, 1, { key_field: 'k1' }), key: null },
  ]);
  const sink = scenario.startSink(
    {
      'kafka.topics': STRICT,
      'sink.pk.mode': 'record_key',
      'sink.key.format': 'string',
      'sink.insert.mode': 'upsert',
      'errors.tolerance': 'none',
    },
    'strict',
  );
  await sink.waitForLog('the partition stops', (line) => /partition stopped/.test(String(line.msg)));
  const stopped = sink.logs().find((line) => /partition stopped/.test(String(line.msg)))!;
  assert.match(
    String(stopped.err),
    /record .+\/0@1 can never be written \(KEY_REJECTED: record key: the record has no key \(null\).*\); errors\.tolerance=none stops this partition/,
  );
  await waitFor('the record before it committed', async () => (await scenario.offsets(STRICT)).get(0) === 1);
  assert.deepEqual(
    await tableRows(STRICT, 'kafka_key, seq'),
    [['k0', 0]],
    'what came before is written, the bad record not',
  );
  assert.deepEqual(await scenario.deadLetters(STRICT), []);
  await sink.kill('SIGTERM');
});

test('sink.pk.mode=none: no primary key, the coordinates stay unique; every record once across a SIGKILL', async () => {
  const settings = { 'kafka.topics': UNKEYED, 'sink.pk.mode': 'none', 'sink.batch.max.records': 30 };
  await scenario.produceSequenced(UNKEYED, 100);
  const first = scenario.startSink(settings, 'none-first');
  await waitForSomeCommitted(scenario, UNKEYED, 30);
  assert.equal(await first.kill('SIGKILL'), null);
  await scenario.produceSequenced(UNKEYED, 100);
  const second = scenario.startSink(settings, 'none-second');
  await scenario.waitForOffsets(UNKEYED, () => 200);
  await stopGracefully(second);
  for (const [partition, state] of await scenario.tableState(UNKEYED)) {
    assert.deepEqual(state, { rows: 200, distinct: 200, ordered: true, maxSeq: 199 }, `partition ${partition}`);
  }
  const [[table]] = await scenario.admin.query<ResultRow[]>(
    `SHOW CREATE TABLE \`${scenario.database}\`.\`${UNKEYED}\``,
  );
  assert.doesNotMatch(String(table!['Create Table']), /PRIMARY KEY/);
  assert.match(String(table!['Create Table']), /UNIQUE KEY `kafka_position` \(`_kafka_partition`,`_kafka_offset`\)/);
  const args = ['verify', ...scenario.sets(settings)];
  const verify = await runKms(args, {}, { timeoutMs: 60_000 });
  assert.equal(verify.code, 0, describeRun(args, verify));
  assert.match(verify.stdout, /PASS: 3\/3 partitions match, 600 records exactly once/);
});
