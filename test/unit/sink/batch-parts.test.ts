import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunks, keyedByContent, valuesOf } from '../../../src/sink/batch-parts.ts';
import { rowLayout, type Statement } from '../../../src/sink/operation-plan.ts';
import type { KafkaRecord, RowOperation } from '../../../src/core/records.ts';

const layout = rowLayout('t', ['a', 'b'], []);

function operation(offset: number, valueBytes: number): RowOperation {
  const record: KafkaRecord = {
    topic: 't',
    partition: 0,
    offset,
    timestamp: undefined,
    key: null,
    value: Buffer.alloc(valueBytes),
  };
  return { kind: 'write', record, layout, values: [offset, `v${offset}`] };
}

test('valuesOf takes the rows of [start, end) in order, the same arrays, nothing else', () => {
  const operations = [operation(0, 1), operation(1, 1), operation(2, 1), operation(3, 1)];
  const rows = valuesOf(operations, 1, 3);
  assert.deepEqual(rows, [
    [1, 'v1'],
    [2, 'v2'],
  ]);
  assert.equal(rows[0], operations[1]!.values);
  assert.deepEqual(valuesOf(operations, 2, 2), []);
});

test('chunks cut a statement before it passes 4 MB of estimated SQL, never leaving a chunk empty', () => {
  const big = 1024 * 1024;
  const statement: Statement = { kind: 'write', layout, operations: [0, 1, 2, 3, 4].map((o) => operation(o, big)) };
  // 2 bytes of SQL per value byte: two 1 MB values fill a 4 MB statement.
  assert.deepEqual(
    [...chunks(statement, 0, 5)],
    [
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 5],
    ],
  );
  const small: Statement = { kind: 'write', layout, operations: [0, 1, 2].map((o) => operation(o, 10)) };
  assert.deepEqual([...chunks(small, 0, 3)], [[0, 3]]);
  assert.deepEqual([...chunks(small, 1, 3)], [[1, 3]]);
});

test('a key taken from the record is keyed by content; the Kafka coordinates are not', () => {
  assert.equal(keyedByContent(rowLayout('t', ['id', 'v'], ['id'])), true);
  assert.equal(
    keyedByContent(rowLayout('t', ['_kafka_partition', '_kafka_offset'], ['_kafka_partition', '_kafka_offset'])),
    false,
  );
  assert.equal(keyedByContent(layout), false);
});
