import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRecordsBatch } from '@platformatic/kafka';
import { isSinkError } from '../../../src/core/errors.ts';
import { isTombstone, type KafkaRecord, payloadLength } from '../../../src/core/records.ts';
import { type FetchPosition, takeRecords } from '../../../src/kafka/fetched-records.ts';

const TRANSACTIONAL = 1 << 4;
const CONTROL = 1 << 5;
const LOG_APPEND_TIME = 1 << 3;

interface BatchShape {
  attributes?: number;
  producerId?: bigint;
  maxTimestamp?: bigint;
  /** Overrides the count the batch spans (compaction leaves gaps). */
  lastOffsetDelta?: number;
  compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  headers?: boolean;
}

/**
 * A record batch of `count` records from `first`, one value per record naming its offset, encoded by the
 * pure-JS client's producer code (an encoder independent of the reader under test). The fields the
 * producer does not set (first offset, control and time-type bits, a compacted span) are written into
 * its header at their places in the format, as a broker would.
 */
function batch(first: number, count: number, shape: BatchShape = {}): Buffer {
  const messages = Array.from({ length: count }, (_, i) => ({
    topic: 't',
    key: i % 2 === 0 ? undefined : Buffer.from(`k${first + i}`),
    value: Buffer.from(`v${first + i}`),
    timestamp: 1_000n + BigInt(i),
    ...(shape.headers ? { headers: new Map([[Buffer.from('h'), Buffer.from(`header of ${first + i}`)]]) } : {}),
  }));
  const bytes = Buffer.from(
    createRecordsBatch(messages, {
      compression: shape.compression ?? 'none',
      ...(shape.producerId === undefined ? {} : { producerId: shape.producerId }),
    }).buffer,
  );
  bytes.writeBigInt64BE(BigInt(first), 0);
  bytes.writeInt16BE(bytes.readInt16BE(21) | (shape.attributes ?? 0), 21);
  if (shape.lastOffsetDelta !== undefined) bytes.writeInt32BE(shape.lastOffsetDelta, 23);
  if (shape.maxTimestamp !== undefined) bytes.writeBigInt64BE(shape.maxTimestamp, 35);
  return bytes;
}

/** A transaction marker of `producerId`: abort (type 0) or commit (type 1). */
function marker(offset: number, producerId: bigint, type: 0 | 1): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type, 2);
  const bytes = Buffer.from(
    createRecordsBatch([{ topic: 't', key, value: Buffer.alloc(6), timestamp: 1_000n }], { producerId }).buffer,
  );
  bytes.writeBigInt64BE(BigInt(offset), 0);
  bytes.writeInt16BE(TRANSACTIONAL | CONTROL, 21);
  return bytes;
}

function take(
  from: number,
  batches: Buffer[],
  aborted: { producerId: bigint; firstOffset: bigint }[] | null = null,
  position: FetchPosition = { next: from, aborting: new Set() },
): { records: KafkaRecord[]; position: FetchPosition } {
  const records: KafkaRecord[] = [];
  takeRecords('t', 2, from, Buffer.concat(batches), aborted, position, records);
  return { records, position };
}

const offsets = (records: KafkaRecord[]) => records.map((r) => r.offset);

describe('takeRecords', () => {
  it('passes every record on with its coordinates, key, value and timestamp', () => {
    const { records, position } = take(10, [batch(10, 3)]);
    const record = records[1]!;
    assert.deepEqual(
      {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        timestamp: record.timestamp,
        key: record.key,
        value: record.value,
      },
      { topic: 't', partition: 2, offset: 11, timestamp: 1_001, key: Buffer.from('k11'), value: Buffer.from('v11') },
    );
    assert.equal(payloadLength(record), 6);
    assert.equal(records[0]!.key, null);
    assert.deepEqual(offsets(records), [10, 11, 12]);
    assert.equal(position.next, 13);
  });

  it('skips the records of a batch before the offset asked for (brokers answer with whole batches)', () => {
    const { records, position } = take(12, [batch(10, 5)]);
    assert.deepEqual(offsets(records), [12, 13, 14]);
    assert.equal(position.next, 15);
  });

  it('follows gaps (compaction) and moves past a batch whose records were all compacted away', () => {
    const sparse = batch(20, 1, { lastOffsetDelta: 4 });
    const { records, position } = take(20, [sparse, batch(30, 2)]);
    assert.deepEqual(offsets(records), [20, 30, 31]);
    assert.equal(position.next, 32);
  });

  it('gives every record of a LogAppendTime batch the broker time', () => {
    const { records } = take(0, [batch(0, 3, { attributes: LOG_APPEND_TIME, maxTimestamp: 9_999n })]);
    assert.deepEqual(
      records.map((r) => r.timestamp),
      [9_999, 9_999, 9_999],
    );
  });

  it('skips transaction markers but moves past them', () => {
    const { records, position } = take(0, [
      batch(0, 2, { attributes: TRANSACTIONAL, producerId: 7n }),
      marker(2, 7n, 1),
    ]);
    assert.deepEqual(offsets(records), [0, 1]);
    assert.equal(position.next, 3);
  });

  it('skips an aborted transaction up to its abort marker and keeps what other producers wrote', () => {
    const { records, position } = take(
      0,
      [
        batch(0, 2, { attributes: TRANSACTIONAL, producerId: 7n }),
        batch(2, 2, { attributes: TRANSACTIONAL, producerId: 8n }),
        marker(4, 7n, 0),
        marker(5, 8n, 1),
        batch(6, 2, { attributes: TRANSACTIONAL, producerId: 7n }),
      ],
      [{ producerId: 7n, firstOffset: 0n }],
    );
    assert.deepEqual(offsets(records), [2, 3, 6, 7]);
    assert.equal(position.next, 8);
    assert.equal(position.aborting.size, 0);
  });

  it('keeps skipping an aborted transaction whose marker comes in a later response', () => {
    const first = take(
      0,
      [batch(0, 2, { attributes: TRANSACTIONAL, producerId: 7n })],
      [{ producerId: 7n, firstOffset: 0n }],
    );
    assert.deepEqual(offsets(first.records), []);
    assert.equal(first.position.next, 2);
    const second = take(
      2,
      [batch(2, 2, { attributes: TRANSACTIONAL, producerId: 7n }), marker(4, 7n, 0), batch(5, 1)],
      null,
      first.position,
    );
    assert.deepEqual(offsets(second.records), [5]);
  });

  it('does not skip a batch of the same producer from before the aborted transaction began', () => {
    const { records } = take(
      0,
      [
        batch(0, 2, { attributes: TRANSACTIONAL, producerId: 7n }),
        marker(2, 7n, 1),
        batch(3, 1, { attributes: TRANSACTIONAL, producerId: 7n }),
        marker(4, 7n, 0),
      ],
      [{ producerId: 7n, firstOffset: 3n }],
    );
    assert.deepEqual(offsets(records), [0, 1]);
  });

  it('passes nothing on for an empty answer and leaves the position', () => {
    const { records, position } = take(5, []);
    assert.deepEqual(records, []);
    assert.equal(position.next, 5);
  });

  it('reads batches compressed with each codec a producer may use', () => {
    for (const compression of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
      const { records, position } = take(7, [batch(5, 40, { compression }), batch(45, 3)]);
      assert.equal(records.length, 38 + 3, compression);
      assert.deepEqual(records[0]!.value, Buffer.from('v7'), compression);
      assert.deepEqual(records[1]!.key, Buffer.from('k8'), compression);
      assert.equal(records[37]!.timestamp, 1_039, compression);
      assert.equal(position.next, 48, compression);
    }
  });

  it('skips record headers (the sink does not read them) without losing its place', () => {
    const { records } = take(0, [batch(0, 3, { headers: true, compression: 'lz4' })]);
    assert.deepEqual(
      records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString()]),
      [
        [0, null, 'v0'],
        [1, 'k1', 'v1'],
        [2, null, 'v2'],
      ],
    );
  });

  it('leaves a batch cut off at the end of the answer for the next fetch (the broker stops at its byte limit)', () => {
    const whole = batch(0, 3);
    const cut = batch(3, 3).subarray(0, 40);
    const { records, position } = take(0, [whole, cut]);
    assert.deepEqual(offsets(records), [0, 1, 2]);
    assert.equal(position.next, 3);
  });

  it('refuses a batch whose records run past its end, with a retriable coded error', () => {
    const bytes = batch(0, 3);
    // Claim a fourth record: the reader runs out of bytes inside the batch.
    bytes.writeInt32BE(4, 57);
    assert.throws(
      () => take(0, [bytes]),
      (error: unknown) =>
        isSinkError(error, 'KAFKA_FETCH_INVALID') && error.retriable && /ends inside a record/.test(error.message),
    );
  });

  it('leaves the position as it was when a later batch of the answer is corrupt', () => {
    const position: FetchPosition = { next: 5, aborting: new Set([7n]) };
    // Read first: a transaction of producer 9 that the broker lists as aborted, then a whole batch.
    const aborted = batch(5, 2, { attributes: TRANSACTIONAL, producerId: 9n });
    const corrupt = batch(9, 3);
    corrupt.writeInt32BE(4, 57);
    assert.throws(
      () => take(5, [aborted, batch(7, 2), corrupt], [{ producerId: 9n, firstOffset: 5n }], position),
      (error: unknown) => isSinkError(error, 'KAFKA_FETCH_INVALID'),
    );
    assert.equal(position.next, 5);
    assert.deepEqual([...position.aborting], [7n]);
  });

  it('refuses a record whose value runs past the record, into the next one', () => {
    const bytes = batch(0, 2);
    // Record 0: length, attributes, timestamp delta, offset delta, key -1 (one byte each), then the value's
    // length at 66: 2 bytes ('v0', zigzag 4) made 4 (zigzag 8), one more than the record has left.
    assert.equal(bytes[66], 4);
    bytes[66] = 8;
    assert.throws(
      () => take(0, [bytes]),
      (error: unknown) => isSinkError(error, 'KAFKA_FETCH_INVALID') && error.retriable,
    );
  });

  it('passes a tombstone on without a value, its key read in place', () => {
    // The client's types want a value; its encoder writes length -1 (null) when there is none.
    const tombstone = {
      topic: 't',
      key: Buffer.from('gone'),
      value: undefined as unknown as Buffer,
      timestamp: 1_000n,
    };
    const bytes = Buffer.from(createRecordsBatch([tombstone], {}).buffer);
    const { records } = take(0, [bytes]);
    assert.equal(records.length, 1);
    assert.equal(records[0]!.value, null);
    assert.ok(isTombstone(records[0]!));
    assert.deepEqual(records[0]!.key, Buffer.from('gone'));
    assert.equal(payloadLength(records[0]!), 4);
  });

  it('refuses a message format before 2 and an unknown compression, naming them', () => {
    const old = batch(0, 1);
    old.writeInt8(1, 16);
    assert.throws(() => take(0, [old]), /message format 1; only format 2/);
    const unknown = batch(0, 1);
    unknown.writeInt16BE(6, 21);
    assert.throws(() => take(0, [unknown]), /unknown compression \(attribute bits 6\)/);
  });

  it('does not decompress a batch that lies wholly before the offset asked for', () => {
    const before = batch(0, 3, { compression: 'lz4' });
    // Garbage where the compressed records are: reading them would throw.
    before.fill(0xff, 61);
    const { records, position } = take(3, [before, batch(3, 2)]);
    assert.deepEqual(offsets(records), [3, 4]);
    assert.equal(position.next, 5);
  });

  it('reads offsets and timestamps beyond 2^32 exactly', () => {
    const high = batch(2 ** 40, 2, { attributes: LOG_APPEND_TIME, maxTimestamp: 1_764_000_000_123n });
    const { records, position } = take(2 ** 40, [high]);
    assert.deepEqual(offsets(records), [2 ** 40, 2 ** 40 + 1]);
    assert.equal(records[1]!.timestamp, 1_764_000_000_123);
    assert.equal(position.next, 2 ** 40 + 2);
  });
});
