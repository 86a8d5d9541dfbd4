import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GroupReading } from '../../../src/status/group-reader.ts';
import type { InstanceInfo } from '../../../src/status/instance-info.ts';
import { type LocalPartition, StatusModel } from '../../../src/status/status-model.ts';

const INFO: InstanceInfo = {
  id: 'host:1',
  version: '1.2.3',
  startedAt: new Date(0),
  statusUrl: 'http://127.0.0.1:9464/',
  config: { 'kafka.topics': 't' },
};

function reading(at: number, committed: (number | null)[], databaseOk = true): GroupReading {
  return {
    at,
    partitions: committed.map((c, partition) => ({
      topic: 't',
      partition,
      group: 'g',
      low: 0,
      end: 1000,
      committed: c,
      deadLetters: databaseOk ? partition : null,
    })),
    instances: [
      {
        id: 'other:2',
        statusUrl: 'http://127.0.0.1:9465/',
        version: '1.2.3',
        startedAt: '',
        ageSeconds: 1,
        partitions: [{ topic: 't', partition: 1, state: 'failed', reason: 'VALUE_REJECTED: boom' }],
      },
    ],
    problems: databaseOk ? [] : ['database: connect ECONNREFUSED'],
    databaseOk,
    kafkaOk: true,
  };
}

const mine: LocalPartition[] = [
  {
    topic: 't',
    partition: 0,
    state: 'backpressure',
    committedOffset: 700,
    queued: 5,
    committedRecords: 0,
    deadLetters: 0,
  },
];

test('rates, lag in seconds, owners and states: own pipelines live, others from their heartbeat; no offset row yet: all of it is lag', () => {
  const model = new StatusModel(INFO, () => mine);
  model.record(reading(10_000, [100, 500, null]));
  model.record(reading(20_000, [600, 500, null]));
  const o = model.overview(20_000);
  assert.deepEqual(
    o.partitions.map((p) => [p.partition, p.committed, p.lag, p.rate, p.lagSeconds, p.state, p.reason, p.owner]),
    [
      [0, 600, 400, 50, 8, 'backpressure', null, 'host:1'],
      [1, 500, 500, 0, null, 'failed', 'VALUE_REJECTED: boom', 'other:2'],
      [2, null, 1000, 0, null, 'unassigned', null, null],
    ],
  );
  assert.deepEqual(
    o.topics.map((t) => [t.partitions, t.committed, t.end, t.lag, t.rate, t.deadLetters]),
    [[3, 1100, 3000, 1900, 50, 3]],
  );
  assert.deepEqual(o.totals, { lag: 1900, rate: 50, lagSeconds: 38, deadLetters: 3 });
  assert.deepEqual(
    model.history.map((h) => [h.t, h.rate, h.lag]),
    [
      [10, 0, 2400],
      [20, 50, 1900],
    ],
  );
});

test('a dead database: flagged, no chart point, local offsets still shown', () => {
  const model = new StatusModel(INFO, () => mine);
  model.record(reading(10_000, [100, 500, 0]));
  model.record(reading(13_000, [null, null, null], false));
  const o = model.overview(13_000);
  assert.equal(o.database, 'unreachable');
  assert.deepEqual(o.problems, ['database: connect ECONNREFUSED']);
  assert.deepEqual(
    o.partitions.map((p) => [p.committed, p.deadLetters]),
    [
      [700, null],
      [null, null],
      [null, null],
    ],
  );
  assert.equal(model.history.length, 1);
});

test('this instance counts what its pipelines wrote, across pipelines that come and go', () => {
  const a = { committedRecords: 10, deadLetters: 1 };
  let pipelines = [a];
  const model = new StatusModel(
    INFO,
    () => [],
    () => pipelines,
  );
  model.countLocal(0);
  a.committedRecords = 30;
  pipelines = [{ committedRecords: 5, deadLetters: 0 }];
  const o = model.overview(2_000);
  assert.deepEqual([o.instance.written, o.instance.deadLetters, o.instance.uptimeSeconds], [15, 1, 2]);
});
