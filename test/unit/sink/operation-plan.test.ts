import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KafkaRecord, RowLayout, RowOperation } from '../../../src/core/records.ts';
import { keyIdentity, planStatements, rowLayout } from '../../../src/sink/operation-plan.ts';

const WRITE = rowLayout('t', ['id', 'name'], ['id']);
const WRITE_V2 = rowLayout('t', ['id', 'name', 'email'], ['id']);
const DELETE = rowLayout('t', ['id'], ['id']);
const APPEND = rowLayout('t', ['name', '_kafka_partition', '_kafka_offset'], []);

let offset = 0;
function record(): KafkaRecord {
  return { topic: 't', partition: 0, offset: offset++, timestamp: 0, key: null, value: null };
}
const write = (id: unknown, name: string, layout: RowLayout = WRITE): RowOperation => ({
  kind: 'write',
  record: record(),
  layout,
  values: layout === WRITE_V2 ? [id, name, `${name}@x`] : [id, name],
});
const del = (id: unknown): RowOperation => ({ kind: 'delete', record: record(), layout: DELETE, values: [id] });

/** Each statement as kind + the values it carries, for exact comparison. */
function shape(operations: RowOperation[], reduce: boolean): [string, unknown[][]][] {
  return planStatements(operations, reduce).statements.map((s) => [s.kind, s.operations.map((o) => o.values)]);
}

describe('planStatements in upsert mode (reduced)', () => {
  it('insert, update, delete, insert of one key ends as the last insert; other keys are kept', () => {
    const ops = [write(1, 'a'), write(2, 'b'), write(1, 'a2'), del(1), write(1, 'a3'), del(2), write(3, 'c')];
    assert.deepEqual(shape(ops, true), [
      ['delete', [[2]]],
      [
        'write',
        [
          [1, 'a3'],
          [3, 'c'],
        ],
      ],
    ]);
    assert.equal(planStatements(ops, true).superseded, 4);
  });

  it('a key whose last event is a delete is deleted, whatever came before', () => {
    assert.deepEqual(shape([write(1, 'a'), write(1, 'b'), del(1)], true), [['delete', [[1]]]]);
  });

  it('keeps writes of different layouts apart and matches keys across layouts', () => {
    assert.deepEqual(shape([write(1, 'a'), write(2, 'b', WRITE_V2), write(1, 'c', WRITE_V2)], true), [
      [
        'write',
        [
          [2, 'b', 'b@x'],
          [1, 'c', 'c@x'],
        ],
      ],
    ]);
  });

  it('never merges appended rows (no key)', () => {
    const a: RowOperation = { kind: 'write', record: record(), layout: APPEND, values: ['x', 0, 1] };
    const b: RowOperation = { kind: 'write', record: record(), layout: APPEND, values: ['x', 0, 2] };
    assert.deepEqual(shape([a, b], true), [
      [
        'write',
        [
          ['x', 0, 1],
          ['x', 0, 2],
        ],
      ],
    ]);
  });
});

describe('planStatements in the other modes (in order)', () => {
  it('keeps offset order and merges only neighbours of one kind and layout', () => {
    const ops = [write(1, 'a'), write(2, 'b'), del(1), del(2), write(1, 'c'), write(3, 'd', WRITE_V2)];
    assert.deepEqual(shape(ops, false), [
      [
        'write',
        [
          [1, 'a'],
          [2, 'b'],
        ],
      ],
      ['delete', [[1], [2]]],
      ['write', [[1, 'c']]],
      ['write', [[3, 'd', 'd@x']]],
    ]);
    assert.equal(planStatements(ops, false).superseded, 0);
  });
});

describe('keyIdentity', () => {
  it('compares keys as the utf8mb4_bin tables do: trailing spaces ignored, case kept', () => {
    assert.equal(keyIdentity(write('k ', 'a')), keyIdentity(write('k', 'b')));
    assert.notEqual(keyIdentity(write('K', 'a')), keyIdentity(write('k', 'a')));
  });

  it('numbers by value whatever their type, bytes by content', () => {
    assert.equal(keyIdentity(write(7, 'a')), keyIdentity(write(7n, 'a')));
    assert.equal(keyIdentity(write(Buffer.from('ab'), 'a')), keyIdentity(del(Buffer.from('ab'))));
    assert.notEqual(keyIdentity(write('1', 'a')), keyIdentity(write(1, 'a')));
  });

  it('is undefined for rows without a key', () => {
    assert.equal(keyIdentity({ kind: 'write', record: record(), layout: APPEND, values: ['x', 0, 1] }), undefined);
  });
});
