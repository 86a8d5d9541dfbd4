import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAvroSchema } from '../../src/avro/avro-schema.ts';
import { encodeWire } from '../fixtures/wire-format.ts';
import { describeRun, oneLineError, runKms } from './helpers/kms-cli.ts';
import { SEQUENCED_SCHEMA } from './helpers/sink-harness.ts';
import { sequenced } from './helpers/sink-records.ts';
import { waitFor } from './helpers/wait.ts';
import {
  KEY_SCHEMA,
  KEY_TYPE,
  KEYED,
  VALUE_SCHEMA,
  VALUE_TYPE,
  useKeyedScenario,
  stopGracefully,
} from './helpers/keyed-events.ts';

/**
 * Keyed tables with bad input: keys that do not decode, null keys, a key schema missing a pk field, tombstones
 * with deletes off (dead letters with reasons, or a stop with errors.tolerance=none), a table keyed
 * differently from the config, and deletes configured without a record key.
 */
const { scenario, tableRows } = useKeyedScenario(3, 'kms_keyed_bad');
const [BAD, REKEYED, STRICT] = scenario.topics as [string, string, string];

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
  const args = ['run', ...scenario.sets({ 'kafka.topics': BAD, 'sink.delete.enabled': 'true' })];
  const run = await runKms(args, {}, { timeoutMs: 30_000 });
  assert.equal(run.code, 2, describeRun(args, run));
  assert.match(
    oneLineError(run),
    /sink\.delete\.enabled .* needs sink\.pk\.mode=record_key \(a tombstone names its row only by its key\), but it is kafka/,
  );
});

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
