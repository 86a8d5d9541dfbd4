import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../../src/config/index.ts';
import { isSinkError } from '../../../../src/core/errors.ts';
import { filterFrom, hexDump } from '../../../../kit/tools/dead-letters.ts';

const config = loadConfig({ overrides: ['kafka.topics=orders,payments'] });

test('filters pass through as given', () => {
  assert.deepEqual(filterFrom(config, {}), {});
  assert.deepEqual(
    filterFrom(config, { topic: 'orders', partition: 2, reason: 'SCHEMA_NOT_FOUND', fromOffset: 5, toOffset: 5 }),
    { topic: 'orders', partition: 2, reason: 'SCHEMA_NOT_FOUND', fromOffset: 5, toOffset: 5 },
  );
});

test('filters that can not mean anything are usage errors (exit 2), one line each', () => {
  const cases: [Parameters<typeof filterFrom>[1], RegExp][] = [
    [{ partition: 1 }, /--partition needs --topic/],
    [{ topic: 'orders', fromOffset: 1 }, /need --topic and --partition/],
    [{ topic: 'orders', partition: 0, fromOffset: 9, toOffset: 3 }, /--from-offset 9 is after --to-offset 3/],
    [{ topic: 'refunds' }, /topic "refunds" is not in kafka.topics \(orders, payments\)/],
    [{ reason: 'schema' }, /--reason "schema" is not a reason/],
  ];
  for (const [flags, message] of cases)
    assert.throws(
      () => filterFrom(config, flags),
      (error: unknown) => isSinkError(error, 'USAGE') && message.test(error.message) && !error.message.includes('\n'),
    );
});

test('hex dump: offsets, 16 bytes a line, printable characters beside', () => {
  assert.deepEqual(hexDump(null), ['  (null)']);
  assert.deepEqual(hexDump(Buffer.from('Hello, dead letter!\x00\x01')), [
    '  000000  48 65 6c 6c 6f 2c 20 64 65 61 64 20 6c 65 74 74  Hello, dead lett',
    '  000010  65 72 21 00 01                                   er!..',
  ]);
});
