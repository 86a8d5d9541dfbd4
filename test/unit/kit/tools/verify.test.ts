import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PartitionState, TopicState } from '../../../../kit/tools/partition-snapshot.ts';
import { formatVerify, judge } from '../../../../kit/tools/verify.ts';

const partition = (rows: number, dead = 0): PartitionState => ({
  topic: 'accounts',
  partition: 0,
  group: 'group-accounts',
  end: 10,
  stored: 10,
  dead,
  rows,
  duplicates: 0,
  maxOffset: 9,
});
const topic = (rows: number, keys?: TopicState['keys']): TopicState => ({
  topic: 'accounts',
  group: 'group-accounts',
  table: 'accounts',
  inKafka: true,
  tableExists: true,
  totalRows: null,
  ...(keys ? { keys } : {}),
  partitions: [partition(rows)],
});

describe('verify of keyed tables', () => {
  it('accepts fewer rows than records (replaced, deleted, skipped) when the key is unique', () => {
    const result = judge([topic(4, { columns: ['id'], duplicated: 0 })], 0, { keyed: true });
    assert.equal(result.ok, true);
    assert.ok(formatVerify(result).includes('keys: accounts keeps one row per (id), none twice'));
  });

  it('fails a key value that appears twice, or a keyed table without a primary key', () => {
    const twice = judge([topic(4, { columns: ['id', 'region'], duplicated: 2 })], 0, { keyed: true });
    assert.equal(twice.ok, false);
    assert.deepEqual(twice.problems, [
      'table accounts of topic accounts: 2 key values of (id, region) appear more than once',
    ]);
    const none = judge([topic(4, { columns: [], duplicated: 0 })], 0, { keyed: true });
    assert.deepEqual(none.problems, ['table accounts of topic accounts has no primary key, so keys can repeat']);
  });

  it('still counts missing rows for an append-only table', () => {
    const result = judge([topic(4)], 0, { keyed: false });
    assert.equal(result.ok, false);
    assert.deepEqual(result.partitions[0]!.problems, ['6 missing']);
  });
});
