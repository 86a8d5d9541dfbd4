import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResultRow } from '../../src/mysql/pool.ts';
import { parseAvroSchema } from '../../src/avro/avro-schema.ts';
import { encodeWire } from '../fixtures/wire-format.ts';
import { createTopic } from './helpers/kafka-client.ts';
import { describeRun, runKms } from './helpers/kms-cli.ts';
import { SinkScenario } from './helpers/sink-harness.ts';
import { BOOTSTRAP } from './helpers/services.ts';
import { quoteId } from './helpers/sink-records.ts';
import { uniqueName } from './helpers/unique.ts';

/**
 * Names that are legal in Kafka but awkward in SQL, and table templates written to inject SQL: each is
 * either quoted verbatim (the table exists under exactly that name, nothing else happened) or rejected
 * with one clear line at start — never executed.
 */
const scenario = new SinkScenario(1, 2, 'kms.dot-dash');
const dotted = scenario.topics[0]!;
const digit = uniqueName('42-kms');
const longFields = uniqueName('kms_fields');
const hostile = uniqueName('kh');
const long = `${uniqueName('kms_long')}_`.padEnd(249, 'x'); // Kafka's longest topic name
const HOSTILE_TEMPLATE = 'x`; DROP TABLE kafka_offsets; -- \'ü"${topic}';
const hostileTable = HOSTILE_TEMPLATE.replace('${topic}', hostile);
const LONG_TABLE = 'long_topic_tbl';
const LONG_FIELD = `f_${'x'.repeat(70)}`;

before(async () => {
  await scenario.setup();
  for (const topic of [digit, longFields, hostile, long])
    await createTopic(BOOTSTRAP, { topic, num_partitions: 2, replication_factor: 1 });
});
after(() => scenario.cleanup());

test('config rejects names SQL can not hold, with one line naming the key', async () => {
  const cases: { set: string[]; says: RegExp }[] = [
    {
      set: [`kafka.topics=${long}`],
      says: /config key sink\.table\.template = "\$\{topic\}" .*gives a table name longer than 64 characters for topic "kms_long_/,
    },
    {
      set: ['kafka.topics=ok,bad`; DROP TABLE kafka_offsets; --'],
      says: /config key kafka\.topics = .*has an invalid topic name "bad`; DROP TABLE kafka_offsets; --"/,
    },
    {
      set: ['sink.table.template=t_\u{1F600}_${topic}'],
      says: /config key sink\.table\.template = .*character above U\+FFFF/,
    },
    { set: ['sink.table.template=KAFKA_OFFSETS', 'kafka.topics=one'], says: /both use table "kafka_offsets"/i },
    {
      set: ['sink.table.template=${topic} '],
      says: /config key sink\.table\.template = "\$\{topic\} " .*ends with whitespace, which would end every name it gives/,
    },
    {
      set: ['sink.offsets.table=offsets`; DROP TABLE x'],
      says: /config key sink\.offsets\.table = .*is not a plain table name/,
    },
    {
      set: [`kafka.topics=${long}`, `sink.table.template=${LONG_TABLE}`, 'kafka.group.id.template=sink-group-${topic}'],
      says: /config key kafka\.group\.id\.template = .*longer than 255 characters/,
    },
  ];
  await Promise.all(
    cases.map(async ({ set, says }) => {
      const args = ['run', ...set.flatMap((s) => ['--set', s])];
      const result = await runKms(args, {}, { timeoutMs: 30_000 });
      const context = describeRun(args, result);
      assert.equal(result.code, 2, context);
      assert.equal(result.stdout, '', context);
      assert.equal(result.stderr.trimEnd().split('\n').length, 1, context);
      assert.match(result.stderr, says, context);
    }),
  );
});

test('dots, dashes, leading digits, a 249-char topic and an injection template are quoted verbatim, never executed', async () => {
  assert.ok(hostileTable.length <= 64, hostileTable);
  for (const topic of [dotted, digit, hostile, long]) await scenario.produceSequenced(topic, 100);
  const fieldsSchema = {
    type: 'record',
    name: 'wide',
    fields: [
      { name: 'id', type: 'long' },
      { name: LONG_FIELD, type: 'string' },
    ],
  };
  const fieldsId = await scenario.registry.register(`${longFields}-value`, fieldsSchema);
  const fieldsType = parseAvroSchema(fieldsSchema);
  await scenario.produceRaw(
    longFields,
    Array.from({ length: 10 }, (_, i) => ({
      partition: i % 2,
      key: null,
      value: encodeWire(fieldsId, fieldsType.toBuffer({ id: i, [LONG_FIELD]: 'v' })),
    })),
  );

  const sinks = [
    scenario.startSink({ 'kafka.topics': [dotted, digit, longFields].join(',') }, 'plain'),
    scenario.startSink({ 'kafka.topics': hostile, 'sink.table.template': HOSTILE_TEMPLATE }, 'injection'),
    scenario.startSink({ 'kafka.topics': long, 'sink.table.template': LONG_TABLE }, 'long-topic'),
  ];
  for (const topic of [dotted, digit, hostile, long]) await scenario.waitForOffsets(topic, () => 100);
  await scenario.waitForOffsets(longFields, () => 5);
  for (const sink of sinks) assert.equal(await sink.kill('SIGTERM'), 0, sink.output.slice(-2000));

  const [tables] = await scenario.admin.query<ResultRow[]>(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
    [scenario.database],
  );
  assert.deepEqual(
    tables.map((t) => String(t.name)).sort(),
    ['kafka_dead_letters', 'kafka_offsets', dotted, digit, hostileTable, LONG_TABLE].sort(),
    'exactly these tables, under exactly these names',
  );

  for (const topic of [dotted, digit]) {
    const state = await scenario.tableState(topic);
    for (const p of [0, 1])
      assert.deepEqual(state.get(p), { rows: 100, distinct: 100, ordered: true, maxSeq: 99 }, `${topic}/${p}`);
  }
  for (const table of [hostileTable, LONG_TABLE]) {
    const [rows] = await scenario.admin.query<ResultRow[]>(
      `SELECT _kafka_partition AS p, COUNT(*) AS n, COUNT(DISTINCT _kafka_offset) AS d, MIN(seq) AS lo, MAX(seq) AS hi FROM ${quoteId(scenario.database)}.${quoteId(table)} GROUP BY _kafka_partition ORDER BY p`,
    );
    assert.deepEqual(
      rows.map((r) => [Number(r.p), Number(r.n), Number(r.d), Number(r.lo), Number(r.hi)]),
      [
        [0, 100, 100, 0, 99],
        [1, 100, 100, 0, 99],
      ],
      table,
    );
  }

  // kafka_offsets survived the injection template and holds every partition of every topic, under its full name.
  const [offsets] = await scenario.admin.query<ResultRow[]>(
    `SELECT topic, \`partition\`, consumer_group, \`offset\` FROM ${quoteId(scenario.database)}.kafka_offsets`,
  );
  const expected = [dotted, digit, hostile, long, longFields].flatMap((topic) =>
    [0, 1].map((p) => `${topic}|${p}|group-${topic}|${topic === longFields ? 5 : 100}`),
  );
  assert.deepEqual(
    offsets.map((o) => `${o.topic}|${o.partition}|${o.consumer_group}|${o.offset}`).sort(),
    expected.sort(),
  );
  assert.equal(String(offsets.find((o) => o.topic === long)?.consumer_group).length, 255, 'the longest group id fits');

  // A field name longer than 64 characters can never be a column: its records are dead letters, the partition goes on.
  const letters = await scenario.deadLetters(longFields);
  assert.equal(letters.length, 10);
  for (const letter of letters) {
    assert.equal(letter.error_kind, 'IDENTIFIER_INVALID');
    assert.match(String(letter.error_message), /is not a valid MySQL\/MariaDB identifier: it is 72 characters long/);
  }
});
