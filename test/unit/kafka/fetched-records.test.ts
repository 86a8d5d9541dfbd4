import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KafkaRecord } from '../../../src/core/records.ts';
import { type FetchedBatch, type FetchPosition, takeRecords } from '../../../src/kafka/fetched-records.ts';

const TRANSACTIONAL = 1 << 4;
const CONTROL = 1 << 5;
const LOG_APPEND_TIME = 1 << 3;

/** A batch of `count` records from `first`, one value per record naming its offset. */
function batch(first: number, count: number, extra: Partial<FetchedBatch> = {}): FetchedBatch {
  return {
    firstOffset: BigInt(first),
    lastOffsetDelta: count - 1,
    attributes: 0,
    firstTimestamp: 1_000n,
    maxTimestamp: 1_000n + BigInt(count - 1),
    producerId: -1n,
    records: Array.from({ length: count }, (_, i) => ({
      offsetDelta: i,
      timestampDelta: BigInt(i),
      key: i % 2 === 0 ? null : Buffer.from(`k${first + i}`),
      value: Buffer.from(`v${first + i}`),
    })),
    ...extra,
  };
}

/** A transaction marker of `producerId`: abort (type 0) or commit (type 1). */
function marker(offset: number, producerId: bigint, type: 0 | 1): FetchedBatch {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type, 2);
  return {
    ...batch(offset, 1, { attributes: TRANSACTIONAL | CONTROL, producerId }),
    records: [{ offsetDelta: 0, timestampDelta: 0n, key, value: Buffer.alloc(6) }],
  };
}

function take(
  from: number,
  batches: FetchedBatch[],
  aborted: { producerId: bigint; firstOffset: bigint }[] | null = null,
  position: FetchPosition = { next: from, aborting: new Set() },
): { records: KafkaRecord[]; position: FetchPosition } {
  const records: KafkaRecord[] = [];
  takeRecords('t', 2, from, batches, aborted, position, records);
  return { records, position };
}

const offsets = (records: KafkaRecord[]) => records.map((r) => r.offset);

describe('takeRecords', () => {
  it('passes every record on with its coordinates, key, value and timestamp', () => {
    const { records, position } = take(10, [batch(10, 3)]);
    assert.deepEqual(records[1], {
      topic: 't',
      partition: 2,
      offset: 11,
      timestamp: 1_001,
      key: Buffer.from('k11'),
      value: Buffer.from('v11'),
    });
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
    const sparse = { ...batch(20, 1), lastOffsetDelta: 4 };
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
});
