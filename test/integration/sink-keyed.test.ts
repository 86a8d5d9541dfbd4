import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResultRow } from '../../src/mysql/pool.ts';
import { describeRun, runKms } from './helpers/kms-cli.ts';
import { SEQUENCED_SCHEMA } from './helpers/sink-harness.ts';
import { type RawMessage, sequenced } from './helpers/sink-records.ts';
import { waitForSomeCommitted } from './helpers/sink-checks.ts';
import { KEYED, expectedRows, useKeyedScenario, stopGracefully, stream, type Event } from './helpers/keyed-events.ts';

/**
 * Tables keyed on the record key (`sink.pk.mode=record_key`): an Avro record key's fields or a raw
 * string key are the primary key; upserts keep the last event per key, tombstones delete
 * (`sink.delete.enabled`), `sink.insert.mode=update` changes existing rows only. Every test ends with the
 * exact table contents a model of the event stream predicts, across a kill -9 of the sink.
 */
const { scenario, produceEvents, tableRows } = useKeyedScenario(5, 'kms_keyed');
const [CDC, UPDATES, INSERTS, IGNORES, UNKEYED] = scenario.topics as [string, string, string, string, string];

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
