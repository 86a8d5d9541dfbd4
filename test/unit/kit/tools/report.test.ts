import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PartitionState, TopicState } from '../../../../kit/tools/partition-snapshot.ts';
import { formatEta, progressLine } from '../../../../kit/tools/progress.ts';
import { formatStatus, statusFrom } from '../../../../kit/tools/status.ts';
import { cell, formatTable } from '../../../../kit/tools/text-table.ts';
import { formatVerify, judge, verifySummary, waitLine } from '../../../../kit/tools/verify.ts';

function partition(p: number, extra: Partial<PartitionState> = {}): PartitionState {
  return {
    topic: 't',
    partition: p,
    group: 'group-t',
    end: 100,
    stored: 100,
    dead: 0,
    rows: 100,
    duplicates: 0,
    maxOffset: 99,
    ...extra,
  };
}

function topic(partitions: PartitionState[], extra: Partial<TopicState> = {}): TopicState {
  return {
    topic: 't',
    group: 'group-t',
    table: 't',
    inKafka: true,
    tableExists: true,
    totalRows: null,
    partitions,
    ...extra,
  };
}

describe('text table', () => {
  it('aligns columns, numbers right, and trims trailing blanks', () => {
    const lines = formatTable(
      [{ header: 'name' }, { header: 'n', align: 'right' }, { header: 'note' }],
      [
        ['a', '1', ''],
        ['longer', '1000', 'x'],
      ],
    );
    assert.deepEqual(lines, ['name       n  note', 'a          1', 'longer  1000  x']);
  });

  it('shows unknown counts as -', () => {
    assert.equal(cell(null), '-');
    assert.equal(cell(undefined), '-');
    assert.equal(cell(0), '0');
  });
});

describe('verify verdicts', () => {
  it('passes when offsets, rows and dead letters all add up', () => {
    const result = judge([
      topic([
        partition(0),
        partition(1, { rows: 97, dead: 3, maxOffset: 99 }),
        partition(2, { end: 0, stored: null, rows: 0, maxOffset: null }),
      ]),
    ]);
    assert.equal(result.ok, true);
    assert.match(verifySummary(result), /^PASS: 3\/3 partitions match, 200 records exactly once$/);
  });

  it('names each kind of difference', () => {
    const cases: [Partial<PartitionState>, string][] = [
      [{ rows: 99, maxOffset: 98 }, '1 missing'],
      [{ stored: 90 }, 'offset 10 behind'],
      [{ stored: 101 }, 'offset 1 beyond end'],
      [{ stored: null }, 'no offset row'],
      [{ rows: 101, duplicates: 1 }, '1 extra, 1 duplicated'],
      [{ maxOffset: 100 }, 'rows beyond end offset'],
    ];
    for (const [change, expected] of cases) {
      const result = judge([topic([partition(0, change)])]);
      assert.equal(result.ok, false, expected);
      assert.equal(result.partitions[0]!.problems.join(', '), expected);
    }
  });

  it('accepts fewer rows than records for keyed tables, never more, and still checks the offsets', () => {
    const keyed = { keyed: true };
    assert.equal(judge([topic([partition(0, { rows: 40, maxOffset: 99 })])], 0, keyed).ok, true);
    assert.equal(judge([topic([partition(0, { rows: 40, maxOffset: 99 })])]).ok, false, 'not keyed: 60 missing');
    const extra = judge([topic([partition(0, { rows: 101 })])], 0, keyed);
    assert.equal(extra.partitions[0]!.problems.join(', '), '1 extra');
    const behind = judge([topic([partition(0, { rows: 40, stored: 90 })])], 0, keyed);
    assert.equal(behind.partitions[0]!.problems.join(', '), 'offset 10 behind');
    assert.equal(judge([topic([partition(0), partition(1)], { totalRows: 50 })], 0, keyed).ok, true);
  });

  it('fails a topic that Kafka does not have', () => {
    const result = judge([topic([], { inKafka: false, topic: 'gone' })]);
    assert.equal(result.ok, false);
    assert.deepEqual(result.problems, ['topic "gone" does not exist in Kafka']);
  });

  it('checks the topic total when provenance columns are off', () => {
    const parts = [
      partition(0, { rows: null, duplicates: null, maxOffset: null }),
      partition(1, { rows: null, duplicates: null, maxOffset: null, dead: 2 }),
    ];
    const ok = judge([topic(parts, { totalRows: 198 })]);
    assert.equal(ok.ok, true);
    assert.equal(ok.partitions.at(-1)!.partition, 'all');
    const missing = judge([topic(parts, { totalRows: 190 })]);
    assert.deepEqual(missing.partitions.at(-1)!.problems, ['8 missing']);
  });

  it('prints an aligned table and a final FAIL line', () => {
    const lines = formatVerify(judge([topic([partition(0), partition(1, { stored: 40 })])]));
    assert.deepEqual(lines, [
      'topic  partition  end  stored  rows  dead  dup  status',
      't              0  100     100   100     0    0  OK',
      't              1  100      40   100     0    0  FAIL: offset 60 behind',
      'FAIL: 1 check failed (1/2 partitions match)',
    ]);
  });

  it('reports progress while waiting', () => {
    const result = judge([topic([partition(0), partition(1, { stored: 40, rows: 40, maxOffset: 39 })])]);
    assert.equal(
      waitLine(result, 12.4, 120),
      'verify: waiting for the sink: 1/2 partitions match, lag 60 (12s of 120s)',
    );
  });
});

describe('status', () => {
  it('shows committed offset, end, lag and dead letters with a total line', () => {
    const at = new Date('2024-01-02T03:04:05.000Z');
    const result = statusFrom(
      [
        topic([partition(0, { stored: 60, dead: 2 }), partition(1, { stored: null, end: 5 })]),
        topic([], { topic: 'nope', inKafka: false }),
      ],
      at,
    );
    assert.deepEqual(result.missingTopics, ['nope']);
    assert.deepEqual(formatStatus(result), [
      'topic  partition  group    committed  end  lag  dead',
      't              0  group-t         60  100   40     2',
      't              1  group-t          -    5    5     0',
      'topic "nope" does not exist in Kafka',
      'total: lag 45 of 105 records, 2 dead letters (2024-01-02T03:04:05.000Z)',
    ]);
  });
});

describe('progress lines', () => {
  it('formats rate and ETA', () => {
    assert.equal(progressLine('produce', 250, 1000, 50), 'produce: 250/1000 records (25%), 50 records/s, ETA 15s');
    assert.equal(progressLine('produce', 0, 1000, 0), 'produce: 0/1000 records (0%), 0 records/s, ETA ?');
    assert.equal(formatEta(125), '2m05s');
  });
});
