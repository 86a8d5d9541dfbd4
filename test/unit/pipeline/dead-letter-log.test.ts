import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Writable } from 'node:stream';
import { DeadLetterLog, schemaIdOf } from '../../../src/pipeline/dead-letter-log.ts';
import type { DeadLetter } from '../../../src/core/records.ts';

function capture(): { lines: Record<string, unknown>[]; log: pino.Logger } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, log: pino({ level: 'info' }, sink).child({ topic: 't', partition: 2 }) };
}

const letter = (offset: number, value: Buffer | null = Buffer.from([0, 0, 0, 1, 7, 9])): DeadLetter => ({
  record: { topic: 't', partition: 2, offset, timestamp: undefined, key: null, value },
  kind: 'DECODE_FAILED',
  message: 'cannot decode',
});

const flushed = () => new Promise((resolve) => setImmediate(resolve));

test('every dead letter is one WARN line with topic, partition, offset, schema id and reason', async () => {
  const { lines, log } = capture();
  new DeadLetterLog(log, { maxLines: 10, intervalMs: 1000 }).report([letter(4), letter(5, null)]);
  await flushed();
  assert.deepEqual(
    lines.map((l) => [l.level, l.topic, l.partition, l.offset, l.schemaId, l.reason]),
    [
      [40, 't', 2, 4, 263, 'DECODE_FAILED'],
      [40, 't', 2, 5, null, 'DECODE_FAILED'],
    ],
  );
  assert.equal(lines[0]!.msg, 'dead letter: t/2@4 schema id 263 DECODE_FAILED: cannot decode');
});

test('a flood is cut at maxLines per interval, then counted in one line; the next interval logs again', async () => {
  const { lines, log } = capture();
  let now = 1_000;
  const dl = new DeadLetterLog(log, { maxLines: 3, intervalMs: 1000 }, () => now);
  dl.report(Array.from({ length: 100 }, (_, i) => letter(i)));
  now += 999;
  dl.report([letter(100)]);
  now += 1;
  dl.report([letter(101)]);
  dl.flush();
  await flushed();
  assert.deepEqual(
    lines.map((l) => l.offset ?? `suppressed ${l.suppressed} from ${l.fromOffset}`),
    [0, 1, 2, 'suppressed 98 from 3', 101],
  );
  assert.match(String(lines[3]!.msg), /^98 more dead letters from offset 3 not logged \(at most 3 lines per 1000 ms/);
});

test('the count of suppressed lines is logged at the end of the window without further dead letters', async () => {
  const { lines, log } = capture();
  new DeadLetterLog(log, { maxLines: 1, intervalMs: 100 }).report([letter(1), letter(2), letter(3)]);
  await new Promise((resolve) => setTimeout(resolve, 250));
  assert.deepEqual(
    lines.map((l) => l.offset ?? `suppressed ${l.suppressed}`),
    [1, 'suppressed 2'],
  );
});

test('schemaIdOf reads the Confluent header only', () => {
  assert.equal(schemaIdOf(Buffer.from([0, 0, 0, 1, 0])), 256);
  assert.equal(schemaIdOf(Buffer.from([1, 0, 0, 1, 0])), null);
  assert.equal(schemaIdOf(Buffer.from([0, 0])), null);
  assert.equal(schemaIdOf(null), null);
});
