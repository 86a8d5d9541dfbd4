import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { encodeWire } from '../fixtures/wire-format.ts';
import { SEQUENCED_SCHEMA, SinkScenario } from './helpers/sink-harness.ts';
import {
  type RawMessage,
  SEQUENCED_TYPE,
  Sequencer,
  createCheckedSequencedTable,
  sequenced,
} from './helpers/sink-records.ts';
import { freePort } from './helpers/services.ts';
import type { ResultRow } from '../../src/mysql/pool.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * Poison records never block a partition: every kind lands in kafka_dead_letters with its raw bytes,
 * in the transaction that moves the offset past it, and the records after it are written. With
 * errors.tolerance=none the poisoned partition stops (and says where), the others go on.
 */
const scenario = new SinkScenario(3, 3, 'kms_poison');
const [POISONED, DB_REJECTS, STRICT] = scenario.topics as [string, string, string];

before(() => scenario.setup());
after(() => scenario.cleanup());

interface Expected {
  offset: number;
  kind: string;
  key: Buffer | null;
  value: Buffer | null;
  message: RegExp;
}

test('every kind of poison record is dead-lettered with its raw bytes; the partition goes on', async () => {
  const schemaId = await scenario.registry.register(`${POISONED}-value`, SEQUENCED_SCHEMA);
  const seq = new Sequencer(schemaId);
  const good = (n: number): RawMessage[] => seq.next(0, n);
  const header = encodeWire(schemaId, Buffer.alloc(0));
  const full = sequenced(schemaId, 0, 999_999).value!;
  // ASCII bytes only: any string in them is valid UTF-8, so the decoder can only fail on the structure
  // (DECODE_FAILED), never on a string's bytes first (INVALID_UTF8, which has its own case below).
  let garbled: Buffer;
  do garbled = Buffer.concat([header, randomBytes(24).map((byte) => byte & 0x7f)]);
  while (decodes(garbled.subarray(5)));

  const poison: { kind: string; key: Buffer | null; value: Buffer | null; message: RegExp }[] = [
    {
      kind: 'WIRE_FORMAT',
      key: Buffer.from('poison-magic'),
      value: Buffer.concat([Buffer.from([1]), full.subarray(1)]),
      message: /magic byte 0x01/,
    },
    {
      kind: 'SCHEMA_NOT_FOUND',
      key: Buffer.from([0x00, 0xff, 0x10, 0x80]),
      value: encodeWire(987654321, full.subarray(5)),
      message: /987654321/,
    },
    {
      kind: 'DECODE_FAILED',
      key: null,
      value: full.subarray(0, 5 + Math.floor((full.length - 5) / 2)),
      message: /cannot decode .*schema id/,
    },
    { kind: 'DECODE_FAILED', key: Buffer.from('poison-garbled'), value: garbled, message: /cannot decode .*schema id/ },
    {
      kind: 'VALUE_REJECTED',
      key: Buffer.from('poison-long'),
      value: sequenced(schemaId, 0, -1, { note: 'n'.repeat(300) }).value,
      message: /field "note": 300 characters do not fit VARCHAR\(255\)/,
    },
    { kind: 'TOMBSTONE', key: Buffer.from('poison-tombstone'), value: null, message: /tombstone/ },
    {
      kind: 'INVALID_UTF8',
      key: Buffer.from('poison-utf8'),
      value: invalidUtf8(sequenced(schemaId, 0, -1, { note: 'hello' }).value!),
      message: /invalid UTF-8 \(byte 1 of 5 is 0xff\)/,
    },
  ];
  const partition0: RawMessage[] = [...good(30)];
  const expected: Expected[] = [];
  for (const p of poison) {
    expected.push({ ...p, offset: partition0.length });
    partition0.push({ partition: 0, key: p.key, value: p.value }, ...good(5));
  }
  partition0.push(...good(100));
  await scenario.produceRaw(POISONED, [...partition0, ...seq.next(1, 100), ...seq.next(2, 100)]);

  // No auto-evolve: a 300-character note must stay a value the column can not hold, not a reason to widen it.
  const sink = scenario.startSink({
    'kafka.topics': POISONED,
    'sink.batch.max.records': 50,
    'sink.auto.evolve': 'false',
  });
  const ends = [partition0.length, 100, 100];
  await scenario.waitForOffsets(POISONED, (p) => ends[p]!, 60_000);

  const letters = await scenario.deadLetters(POISONED);
  assert.deepEqual(
    letters.map((l) => [Number(l.partition), Number(l.offset), l.error_kind]),
    expected.map((e) => [0, e.offset, e.kind]),
    'one dead letter per poison record, at its offset, with its kind',
  );
  for (const [i, e] of expected.entries()) {
    const letter = letters[i]!;
    assert.deepEqual(letter.record_key, e.key, `${e.kind} @${e.offset}: raw key`);
    assert.deepEqual(letter.record_value, e.value, `${e.kind} @${e.offset}: raw value`);
    assert.match(String(letter.error_message), e.message, `${e.kind} @${e.offset}: message`);
  }

  const offsets = await scenario.offsets(POISONED);
  const state = await scenario.tableState(POISONED);
  for (let p = 0; p < 3; p++) {
    const goodCount = seq.count(p);
    assert.equal(offsets.get(p), ends[p], `${POISONED}/${p}: stored offset is the end offset`);
    assert.deepEqual(
      state.get(p),
      { rows: goodCount, distinct: goodCount, ordered: true, maxSeq: goodCount - 1 },
      `${POISONED}/${p}: good records once, in order`,
    );
    assert.equal(
      goodCount + letters.filter((l) => Number(l.partition) === p).length,
      ends[p],
      `${POISONED}/${p}: rows + dead letters == end offset`,
    );
  }
  assert.equal(await sink.kill('SIGTERM'), 0, sink.output.slice(-2000));
  assert.equal(
    (
      await scenario.admin.query<ResultRow[]>(
        `SELECT COUNT(*) AS n FROM \`${scenario.database}\`.\`${POISONED}\` WHERE note LIKE '%\uFFFD%'`,
      )
    )[0][0]!.n,
    0,
    'no text altered with replacement characters',
  );

  // Every dead letter is one WARN line naming topic, partition, offset, schema id and reason.
  const warned = sink.logs().filter((l) => l.level === 'WARN' && String(l.msg).startsWith('dead letter:'));
  assert.deepEqual(
    warned.map((l) => [l.topic, l.partition, l.offset, l.schemaId, l.reason]),
    expected.map((e) => [POISONED, 0, e.offset, schemaIdIn(e.value), e.kind]),
  );
  for (const line of warned) assert.match(String(line.msg), new RegExp(`^dead letter: ${POISONED}/0@${line.offset} `));
});

test('a row the database rejects inside a multi-row batch is isolated by splitting and dead-lettered', async () => {
  // The model accepts any finite double; an operator's CHECK constraint on the pre-created table does not.
  await createCheckedSequencedTable(scenario, DB_REJECTS);
  const schemaId = await scenario.registry.register(`${DB_REJECTS}-value`, SEQUENCED_SCHEMA);
  const seq = new Sequencer(schemaId);
  const rejected = (): RawMessage => sequenced(schemaId, 0, -1, { key_field: 'negative', amount: -1 });
  // Batches of 50 from offset 0: two bad rows side by side in the first, one in the middle of the second.
  const partition0 = [...seq.next(0, 10), rejected(), rejected(), ...seq.next(0, 63), rejected(), ...seq.next(0, 44)];
  const badOffsets = partition0.flatMap((m, offset) => (m.key!.toString() === 'negative' ? [offset] : []));
  await scenario.produceRaw(DB_REJECTS, [...partition0, ...seq.next(1, 50), ...seq.next(2, 50)]);

  const port = await freePort();
  const sink = scenario.startSink({
    'kafka.topics': DB_REJECTS,
    'sink.batch.max.records': 50,
    'sink.batch.linger.ms': 200,
    'status.port': port,
    'errors.deadletter.log.max': 2,
    'errors.deadletter.log.interval.ms': 600_000,
  });
  const ends = [partition0.length, 50, 50];
  await scenario.waitForOffsets(DB_REJECTS, (p) => ends[p]!, 60_000);
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const batches = Number(
    new RegExp(`^kms_batches_committed_total\\{topic="${DB_REJECTS}",partition="0"\\} (\\d+)$`, 'm').exec(metrics)?.[1],
  );
  assert.ok(
    batches >= 3 && batches <= 12,
    `partition 0 written in a few multi-row batches (${batches}), not row by row`,
  );
  assert.equal(await sink.kill('SIGTERM'), 0, sink.output.slice(-2000));

  const letters = await scenario.deadLetters(DB_REJECTS);
  assert.deepEqual(
    letters.map((l) => [Number(l.partition), Number(l.offset), l.error_kind]),
    badOffsets.map((o) => [0, o, 'VALUE_REJECTED']),
  );
  for (const letter of letters) {
    assert.match(String(letter.error_message), /database rejected the row: .*CONSTRAINT `amount_not_negative` failed/);
    assert.deepEqual(letter.record_value, partition0[Number(letter.offset)]!.value, 'raw value');
  }
  const state = await scenario.tableState(DB_REJECTS);
  const offsets = await scenario.offsets(DB_REJECTS);
  for (let p = 0; p < 3; p++) {
    const goodCount = seq.count(p);
    assert.equal(offsets.get(p), ends[p]);
    assert.deepEqual(
      state.get(p),
      { rows: goodCount, distinct: goodCount, ordered: true, maxSeq: goodCount - 1 },
      `${DB_REJECTS}/${p}`,
    );
  }
  assert.ok(!sink.logs().some((l) => l.level === 'ERROR'), 'no partition stopped');
  // Rate-limited: two lines in the interval, then one line with the count of the ones not logged.
  const warned = sink.logs().filter((l) => l.level === 'WARN' && /dead letter/.test(String(l.msg)));
  assert.deepEqual(
    warned.map((l) => (l.suppressed === undefined ? [l.partition, l.offset, l.reason] : [l.partition, l.suppressed])),
    [
      [0, badOffsets[0], 'VALUE_REJECTED'],
      [0, badOffsets[1], 'VALUE_REJECTED'],
      [0, 1],
    ],
  );
  assert.match(String(warned[2]!.msg), new RegExp(`^1 more dead letter from offset ${badOffsets[2]} not logged`));
});

test('errors.tolerance=none stops only the poisoned partition, says where, and /healthz turns 503', async () => {
  const schemaId = await scenario.registry.register(`${STRICT}-value`, SEQUENCED_SCHEMA);
  const seq = new Sequencer(schemaId);
  const poisonOffset = 60;
  const bad: RawMessage = { partition: 1, key: Buffer.from('bad'), value: Buffer.from([1, 2, 3, 4, 5, 6]) };
  await scenario.produceRaw(STRICT, [
    ...seq.next(0, 100),
    ...seq.next(1, poisonOffset),
    bad,
    ...seq.next(1, 39),
    ...seq.next(2, 100),
  ]);

  const port = await freePort();
  const sink = scenario.startSink({
    'kafka.topics': STRICT,
    'errors.tolerance': 'none',
    'sink.batch.max.records': 50,
    'status.port': port,
  });
  await sink.waitForLog('partition 1 stopped', (l) => l.level === 'ERROR' && l.topic === STRICT && l.partition === 1);
  const stopped = sink.logs().find((l) => l.level === 'ERROR' && l.partition === 1)!;
  assert.match(String(stopped.msg), /partition stopped/);
  assert.match(String(stopped.err), new RegExp(`${STRICT}/1@${poisonOffset}\\b.*WIRE_FORMAT.*errors\\.tolerance=none`));
  assert.ok(!String(stopped.err).includes('\n') && stopped.stack === undefined, 'one line, no stack trace');

  let health: { status: number; body: { status?: string; failed?: { partition: number }[] } } = { status: 0, body: {} };
  await waitFor('/healthz to report the failed partition', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    health = { status: response.status, body: (await response.json()) as typeof health.body };
    return response.status === 503;
  });
  assert.deepEqual(
    health.body.failed?.map((f) => f.partition),
    [1],
  );

  // The other partitions keep being written, including records produced after the failure.
  await scenario.waitForOffsets(STRICT, (p) => (p === 1 ? 0 : 100));
  await scenario.produceRaw(STRICT, [...seq.next(0, 50), ...seq.next(2, 50)]);
  await scenario.waitForOffsets(STRICT, (p) => (p === 1 ? 0 : 150));
  const offsets = await scenario.offsets(STRICT);
  const state = await scenario.tableState(STRICT);
  const stuck = offsets.get(1)!;
  assert.ok(stuck <= poisonOffset, `partition 1 stored ${stuck}, never past the poison record at ${poisonOffset}`);
  assert.equal(state.get(1)?.rows ?? 0, stuck, 'partition 1: exactly the committed rows');
  for (const p of [0, 2]) assert.deepEqual(state.get(p), { rows: 150, distinct: 150, ordered: true, maxSeq: 149 });
  assert.equal((await scenario.deadLetters(STRICT)).length, 0, 'nothing dead-lettered with tolerance none');
  assert.equal(sink.running, true, 'the process keeps running for the healthy partitions');
  assert.equal(await sink.kill('SIGTERM'), 0, sink.output.slice(-2000));
});

/** The sequenced record with its note 'hello' turned into 'h\xffllo': same length, invalid UTF-8. */
function invalidUtf8(value: Buffer): Buffer {
  const bad = Buffer.from(value);
  const at = bad.indexOf(Buffer.from('hello'));
  assert.ok(at > 5, 'the note is in the payload');
  bad[at + 1] = 0xff;
  return bad;
}

function schemaIdIn(value: Buffer | null): number | null {
  return value !== null && value.length >= 5 && value[0] === 0 ? value.readUInt32BE(1) : null;
}

function decodes(payload: Buffer): boolean {
  try {
    SEQUENCED_TYPE.fromBuffer(payload);
    return true;
  } catch {
    return false;
  }
}
