import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAvroSchema } from '../../src/avro/avro-schema.ts';
import type { ResultRow } from '../../src/mysql/pool.ts';
import { encodeWire } from '../fixtures/wire-format.ts';
import { describeRun, oneLineError, runKms } from './helpers/kms-cli.ts';
import { SEQUENCED_SCHEMA, SinkScenario } from './helpers/sink-harness.ts';
import { Sequencer, createCheckedSequencedTable, sequenced, sequencedFields } from './helpers/sink-records.ts';

/**
 * `kms dead-letters`: poison records whose cause is then fixed — a writer schema registered after the
 * fact, a table constraint dropped — are replayed: each row written and its dead letter removed in one
 * transaction; verify passes, nothing is written twice, a second replay finds nothing. Before the fix a
 * replay keeps the dead letters and says why.
 */
const scenario = new SinkScenario(2, 2, 'kms_dlq');
const [REJECTS, UNKNOWN] = scenario.topics as [string, string];
/** SEQUENCED_SCHEMA plus a field with a default: a writer schema the registry does not know yet. */
const LATER_SCHEMA = {
  ...SEQUENCED_SCHEMA,
  // The registry gives identical content its old id: a name of this run makes it new.
  name: `later_${UNKNOWN}`,
  fields: [...SEQUENCED_SCHEMA.fields, { name: 'region', type: 'string', default: 'none' }],
};
let laterId = 0;

const kms = (args: string[]) => runKms(args, {}, { timeoutMs: 60_000 });

before(async () => {
  await scenario.setup();
  await createCheckedSequencedTable(scenario, REJECTS);
  const rejectsId = await scenario.registry.register(`${REJECTS}-value`, SEQUENCED_SCHEMA);
  const a = new Sequencer(rejectsId);
  const negative = sequenced(rejectsId, 0, 10, { amount: -5 });
  a.next(0, 0);
  await scenario.produceRaw(REJECTS, [...a.next(0, 10), negative, ...a.next(1, 20)]);
  // The sequencer skipped seq 10 (the negative record carries it), so partition 0 continues at 11.
  const after = Array.from({ length: 9 }, (_, i) => sequenced(rejectsId, 0, 11 + i));
  await scenario.produceRaw(REJECTS, after);

  const unknownId = await scenario.registry.register(`${UNKNOWN}-value`, SEQUENCED_SCHEMA);
  // The registry numbers new schemas in steps: two probes (new content: names of this run) measure the step.
  const probe = (name: string) =>
    scenario.registry.register(`${UNKNOWN}-probe-${name}`, {
      type: 'record',
      name: `${name}_${UNKNOWN}`,
      fields: [{ name: 'x', type: 'int' }],
    });
  const p1 = await probe('probe_a');
  const p2 = await probe('probe_b');
  laterId = p2 + (p2 - p1);
  const b = new Sequencer(unknownId);
  const type = parseAvroSchema(LATER_SCHEMA);
  const early = { ...sequencedFields(0, 5), region: 'north' };
  const poison = { partition: 0, key: Buffer.from(early.key_field), value: encodeWire(laterId, type.toBuffer(early)) };
  const first = b.next(0, 5);
  b.next(0, 1);
  await scenario.produceRaw(UNKNOWN, [...first, poison, ...b.next(0, 4), ...b.next(1, 10)]);

  const sink = scenario.startSink({ 'kafka.topics': `${REJECTS},${UNKNOWN}` });
  await scenario.waitForOffsets(REJECTS, () => 20);
  await scenario.waitForOffsets(UNKNOWN, (p) => (p === 0 ? 10 : 10));
  assert.equal(await sink.kill('SIGTERM'), 0, sink.output.slice(-2000));
});
after(() => scenario.cleanup());

const sets = () => scenario.sets({ 'kafka.topics': `${REJECTS},${UNKNOWN}` });

async function ids(): Promise<{ id: number; topic: string; offset: number; kind: string }[]> {
  const [rows] = await scenario.admin.query<ResultRow[]>(
    `SELECT id, topic, \`offset\`, error_kind FROM \`${scenario.database}\`.kafka_dead_letters ORDER BY topic = ?, id`,
    [UNKNOWN],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    topic: String(r.topic),
    offset: Number(r.offset),
    kind: String(r.error_kind),
  }));
}

test('list and show: filters by topic, partition, reason and offset range; raw bytes as a hex dump', async () => {
  const letters = await ids();
  assert.deepEqual(
    letters.map((l) => [l.topic, l.offset, l.kind]),
    [
      [REJECTS, 10, 'VALUE_REJECTED'],
      [UNKNOWN, 5, 'SCHEMA_NOT_FOUND'],
    ],
  );
  const all = await kms(['dead-letters', 'list', ...sets()]);
  assert.equal(all.code, 0, describeRun(['dead-letters', 'list'], all));
  assert.match(all.stdout, new RegExp(`${REJECTS}\\s+0\\s+10\\s+VALUE_REJECTED`));
  assert.match(all.stdout, new RegExp(`${UNKNOWN}\\s+0\\s+5\\s+SCHEMA_NOT_FOUND`));

  const reason = await kms(['dead-letters', 'list', '--reason', 'SCHEMA_NOT_FOUND', ...sets()]);
  assert.doesNotMatch(reason.stdout, /VALUE_REJECTED/);
  assert.match(reason.stdout, /SCHEMA_NOT_FOUND/);
  const range = await kms(
    ['dead-letters', 'list', '--topic', REJECTS, '--partition', '0', '--from-offset', '11', '--to-offset', '99'].concat(
      sets(),
    ),
  );
  assert.equal(range.stdout.trim(), 'no dead letters match');
  const inRange = await kms(
    ['dead-letters', 'list', '--topic', REJECTS, '--partition', '0', '--from-offset', '10', '--to-offset', '10'].concat(
      sets(),
    ),
  );
  assert.match(inRange.stdout, /VALUE_REJECTED/);

  const show = await kms(['dead-letters', 'show', String(letters[1]!.id), ...sets()]);
  assert.equal(show.code, 0, describeRun(['dead-letters', 'show'], show));
  assert.match(show.stdout, new RegExp(`${UNKNOWN}/0@5`));
  const idHex = laterId.toString(16).padStart(8, '0').match(/../g)!.join(' ');
  assert.match(show.stdout, new RegExp(`value \\(\\d+ bytes\\):\\n  000000  00 ${idHex}`));
});

test('replay before the fix keeps both dead letters and says why; after the fix each is written exactly once', async () => {
  const before = await kms(['dead-letters', 'replay', '--all', ...sets()]);
  assert.equal(before.code, 1, describeRun(['dead-letters', 'replay', '--all'], before));
  assert.match(
    before.stdout,
    new RegExp(`failed .*${REJECTS}/0@10: still rejected by the database: .*amount_not_negative`),
  );
  assert.match(before.stdout, new RegExp(`failed .*${UNKNOWN}/0@5: still can not be written: .*SCHEMA_NOT_FOUND`));
  assert.match(before.stdout, /0 replayed, 2 still failing/);
  assert.equal((await ids()).length, 2);
  const verifyBefore = await kms(['verify', ...sets()]);
  assert.equal(verifyBefore.code, 0, describeRun(['verify'], verifyBefore));

  // The fixes: the writer schema registered, the constraint dropped.
  assert.equal(await scenario.registry.register(`${UNKNOWN}-value`, LATER_SCHEMA), laterId);
  await scenario.admin.query(`ALTER TABLE \`${scenario.database}\`.\`${REJECTS}\` DROP CONSTRAINT amount_not_negative`);

  // Two operators replay the same dead letters at the same moment: each is written once, by one of them.
  const letters = (await ids()).map((l) => String(l.id));
  const replays = await Promise.all([
    kms(['dead-letters', 'replay', ...letters, ...sets()]),
    kms(['dead-letters', 'replay', ...letters.toReversed(), ...sets()]),
  ]);
  const totals = { replayed: 0, gone: 0 };
  for (const replay of replays) {
    assert.equal(replay.code, 0, describeRun(['dead-letters', 'replay'], replay));
    const [, replayed, failing, gone] = /(\d+) replayed, (\d+) still failing, (\d+) already gone/.exec(replay.stdout)!;
    assert.equal(failing, '0');
    totals.replayed += Number(replayed);
    totals.gone += Number(gone);
  }
  assert.deepEqual(totals, { replayed: 2, gone: 2 });
  assert.deepEqual(await ids(), []);

  const again = await kms(['dead-letters', 'replay', ...letters, ...sets()]);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /0 replayed, 0 still failing, 2 already gone/);

  const verify = await kms(['verify', ...sets()]);
  assert.equal(verify.code, 0, describeRun(['verify'], verify));
  const [rows] = await scenario.admin.query<ResultRow[]>(
    `SELECT _kafka_offset AS o, amount FROM \`${scenario.database}\`.\`${REJECTS}\` WHERE _kafka_partition = 0 ORDER BY _kafka_offset`,
  );
  assert.deepEqual(
    rows.map((r) => Number(r.o)),
    Array.from({ length: 20 }, (_, i) => i),
  );
  assert.equal(Number(rows[10]!.amount), -5);
  const [replayed] = await scenario.admin.query<ResultRow[]>(
    `SELECT _kafka_offset AS o, region FROM \`${scenario.database}\`.\`${UNKNOWN}\` WHERE _kafka_partition = 0 ORDER BY _kafka_offset`,
  );
  assert.deepEqual(
    // Rows written before the column was added hold its default (or NULL): only the replayed one says north.
    replayed.map((r) => [Number(r.o), r.region === 'north']),
    Array.from({ length: 10 }, (_, i) => [i, i === 5]),
  );
});

test('bad input: one clear line, exit 2, nothing replayed', async () => {
  const cases: [string[], RegExp][] = [
    [['dead-letters', 'replay'], /which dead letters\? give ids, filters/],
    [['dead-letters', 'replay', 'abc'], /dead letter id must be a whole number >= 1, got "abc"/],
    [['dead-letters', 'replay', '1', '--topic', REJECTS], /either ids or filters/],
    [['dead-letters', 'list', '--partition', '1'], /--partition needs --topic/],
    [['dead-letters', 'list', '--topic', 'nope'], /topic "nope" is not in kafka.topics/],
    [['dead-letters', 'list', '--topic', REJECTS, '--from-offset', '3'], /need --topic and --partition/],
    [
      ['dead-letters', 'list', '--topic', REJECTS, '--partition', '0', '--from-offset', '9', '--to-offset', '3'],
      /is after --to-offset/,
    ],
    [['dead-letters', 'list', '--reason', 'lower case'], /is not a reason/],
    [['dead-letters', 'list', '--limit', '0'], /--limit/],
    [['dead-letters', 'show', '999999'], /no dead letter with id 999999/],
  ];
  for (const [args, message] of cases) {
    const run = await kms([...args, ...sets()]);
    assert.equal(run.code, 2, describeRun(args, run));
    assert.match(oneLineError(run), message, describeRun(args, run));
  }
});
