import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Reader, Writer, createRecordsBatch, fetchV17 } from '@platformatic/kafka';
import { readFetchResponse } from '../../../src/kafka/fetch-response.ts';

const TOPIC_ID = '6c1f2a4e-0b7d-4c59-9e21-3f8a5d7b9c10';

function recordBatches(count: number): Buffer {
  const messages = Array.from({ length: count }, (_, i) => ({ topic: 't', value: Buffer.from(`v${i}`) }));
  return Buffer.from(createRecordsBatch(messages, { compression: 'lz4' }).buffer);
}

interface PartitionShape {
  partition: number;
  errorCode?: number;
  aborted?: { producerId: bigint; firstOffset: bigint }[] | null;
  records?: Buffer | null;
  /** A tagged field the sink does not read (current leader, tag 1). */
  leaderTag?: boolean;
}

/** A Fetch v17 response as a broker writes it (the layout of KIP-482's flexible versions). */
function response(errorCode: number, partitions: PartitionShape[], nodeEndpoints = false): Buffer {
  const writer = Writer.create()
    .appendInt32(0) // throttle time
    .appendInt16(errorCode)
    .appendInt32(0) // session id
    .appendArray([TOPIC_ID], (w, topicId) => {
      w.appendUUID(topicId).appendArray(
        partitions,
        (w, p) => {
          w.appendInt32(p.partition)
            .appendInt16(p.errorCode ?? 0)
            .appendInt64(100n)
            .appendInt64(100n)
            .appendInt64(0n)
            .appendArray(p.aborted ?? null, (w, a) => w.appendInt64(a.producerId).appendInt64(a.firstOffset))
            .appendInt32(-1);
          const records = p.records ?? null;
          if (records === null) w.appendUnsignedVarInt(0);
          else w.appendUnsignedVarInt(records.length + 1).append(records);
          if (p.leaderTag) {
            w.appendUnsignedVarInt(1).appendUnsignedVarInt(1).appendUnsignedVarInt(8).appendInt32(3).appendInt32(9);
          } else {
            w.appendTaggedFields();
          }
        },
        true,
        false,
      );
    });
  if (nodeEndpoints) {
    const endpoint = Writer.create().appendArray([1], (w) =>
      w.appendInt32(1).appendString('127.0.0.1').appendInt32(9092).appendString(null),
    ).buffer;
    writer.appendUnsignedVarInt(1).appendUnsignedVarInt(0).appendUnsignedVarInt(endpoint.length).append(endpoint);
  } else {
    writer.appendTaggedFields();
  }
  return writer.buffer;
}

describe('readFetchResponse', () => {
  it("reads what the client's own parser reads, leaving each partition's record batches as bytes", () => {
    const batches = recordBatches(5);
    const bytes = response(
      0,
      [
        { partition: 0, records: batches, aborted: [{ producerId: 7n, firstOffset: 3n }], leaderTag: true },
        { partition: 1, records: null },
        { partition: 2, records: Buffer.alloc(0) },
      ],
      true,
    );
    const ours = readFetchResponse(0, 1, 17, Reader.from(bytes));
    const theirs = fetchV17.parseResponse(0, 1, 17, Reader.from(bytes));
    assert.equal(ours.errorCode, theirs.errorCode);
    assert.equal(ours.topics.length, 1);
    assert.equal(ours.topics[0]!.topicId, theirs.responses[0]!.topicId);
    const [p0, p1, p2] = ours.topics[0]!.partitions;
    assert.deepEqual(
      ours.topics[0]!.partitions.map((p) => [p.partition, p.errorCode, p.abortedTransactions]),
      theirs.responses[0]!.partitions.map((p) => [p.partitionIndex, p.errorCode, p.abortedTransactions]),
    );
    assert.deepEqual(p0!.records, batches);
    assert.equal(theirs.responses[0]!.partitions[0]!.records![0]!.records.length, 5);
    assert.equal(p1!.records.length, 0);
    assert.equal(p2!.records.length, 0);
  });

  it('reads a record section that spans several socket chunks as one buffer', () => {
    const batches = recordBatches(200);
    const bytes = response(0, [{ partition: 4, records: batches }]);
    // A response arrives in chunks; cut it inside the records.
    const chunks = [bytes.subarray(0, 60), bytes.subarray(60, 500), bytes.subarray(500)];
    const joined = Reader.from(Writer.create().append(chunks[0]!).append(chunks[1]!).append(chunks[2]!));
    assert.equal((joined.buffer as unknown as { buffers: Buffer[] }).buffers.length, 3);
    const ours = readFetchResponse(0, 1, 17, joined);
    assert.deepEqual(ours.topics[0]!.partitions[0]!.records, batches);
  });

  it('leaves error codes to the caller instead of throwing, at both levels', () => {
    const bytes = response(0, [
      { partition: 0, errorCode: 6 },
      { partition: 1, records: recordBatches(2) },
    ]);
    const ours = readFetchResponse(0, 1, 17, Reader.from(bytes));
    assert.deepEqual(
      ours.topics[0]!.partitions.map((p) => [p.partition, p.errorCode, p.records.length > 0]),
      [
        [0, 6, false],
        [1, 0, true],
      ],
    );
    assert.throws(() => fetchV17.parseResponse(0, 1, 17, Reader.from(bytes)));
    assert.equal(readFetchResponse(0, 1, 17, Reader.from(response(58, []))).errorCode, 58);
  });
});
