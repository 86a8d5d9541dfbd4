import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartitionQueue } from '../../../src/pipeline/partition-queue.ts';
import type { KafkaRecord } from '../../../src/core/records.ts';
import { offsetRange } from '../../fixtures/kafka-records.ts';

const records = offsetRange;
const offsets = (list: KafkaRecord[]): number[] => list.map((r) => r.offset);

test('take returns records in order across pushed chunks, at most max', () => {
  const queue = new PartitionQueue(100, 50);
  queue.push(records(0, 3));
  queue.push(records(3, 8));
  assert.deepEqual(offsets(queue.take(4)), [0, 1, 2, 3]);
  assert.equal(queue.length, 4);
  assert.deepEqual(offsets(queue.take(10)), [4, 5, 6, 7]);
  assert.equal(queue.length, 0);
  assert.deepEqual(queue.take(10), []);
});

test('full at capacity, resumable at or below the low watermark', () => {
  const queue = new PartitionQueue(10, 4);
  queue.push(records(0, 9));
  assert.equal(queue.isFull, false);
  queue.push(records(9, 10));
  assert.equal(queue.isFull, true);
  queue.take(5);
  assert.equal(queue.canResume, false);
  queue.take(1);
  assert.equal(queue.canResume, true);
});

test('a low watermark at or above capacity still leaves room to resume', () => {
  const queue = new PartitionQueue(10, 10);
  assert.equal(queue.resumeAt, 9);
});

test('dropBelow removes only older records, across chunks and mid-chunk', () => {
  const queue = new PartitionQueue(100, 50);
  queue.push(records(10, 13));
  queue.push(records(13, 20));
  queue.take(1);
  assert.equal(queue.dropBelow(15), 4);
  assert.deepEqual(offsets(queue.take(100)), [15, 16, 17, 18, 19]);
});

test('pushFront puts a fenced batch tail back before what is queued', () => {
  const queue = new PartitionQueue(100, 50);
  queue.push(records(0, 10));
  const batch = queue.take(6);
  queue.pushFront(batch.filter((r) => r.offset >= 3));
  assert.equal(queue.length, 7);
  assert.deepEqual(offsets(queue.take(100)), [3, 4, 5, 6, 7, 8, 9]);
});

test('whenNotEmpty resolves on push and on interrupt', async () => {
  const queue = new PartitionQueue(10, 5);
  const waiting = queue.whenNotEmpty();
  queue.push(records(0, 1));
  await waiting;
  queue.take(1);
  const interrupted = queue.whenNotEmpty();
  queue.interrupt();
  await interrupted;
  assert.equal(queue.length, 0);
});

test('clear empties the queue and reports how many records were dropped', () => {
  const queue = new PartitionQueue(10, 5);
  queue.push(records(0, 7));
  assert.equal(queue.clear(), 7);
  assert.equal(queue.length, 0);
  assert.deepEqual(queue.take(10), []);
});
