/**
 * One partition's part of a fetch response, turned into the sink's records: the record batches
 * (Kafka's message format v2) read straight from the response bytes, control batches (transaction
 * markers) skipped, records of aborted transactions skipped (read_committed), records before the offset
 * asked for skipped (a broker answers with whole batches), and the next offset to fetch. Pure: the
 * record fetcher keeps the per-partition state between responses.
 *
 * Why not the pure-JS client's own batch reader: it builds a batch object, a record object with a
 * headers array, a BigInt per timestamp and a reader over chunked buffers for every record, which the
 * sink then copies into its own record. Reading the format here builds only the sink's record, at under
 * half the CPU per record (measured in docs/benchmarks.md, "Speed"). Decompression stays the client's.
 */
import { compressionsAlgorithmsByBitmask } from '@platformatic/kafka';
import { SinkError } from '../core/errors.ts';
import { FetchedRecord, type KafkaRecord } from '../core/records.ts';

export interface AbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
}

const TIMESTAMP_LOG_APPEND_TIME = 1 << 3;
const TRANSACTIONAL = 1 << 4;
const CONTROL = 1 << 5;
const COMPRESSION = 0b111;
const ABORT_MARKER = 0;
const MESSAGE_FORMAT = 2;

/** Byte positions in a v2 record batch header (KIP-98); the records follow it. */
const BATCH = {
  length: 8,
  magic: 16,
  attributes: 21,
  lastOffsetDelta: 23,
  firstTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  recordCount: 57,
  records: 61,
} as const;
/** The header fields before the batch length counts from (first offset and the length itself). */
const LOG_OVERHEAD = 12;

/** State one partition carries from one response to the next. */
export interface FetchPosition {
  /** The offset the next fetch asks for. */
  next: number;
  /** Producers whose open transaction was aborted and whose abort marker has not been read yet. */
  readonly aborting: Set<bigint>;
}

/** A cursor over the records of one batch (varints are zigzag-encoded, as in protobuf). */
class RecordCursor {
  buf: Buffer;
  pos: number;

  constructor(buf: Buffer, pos: number) {
    this.buf = buf;
    this.pos = pos;
  }

  /** Up to 2^53: offsets, lengths and timestamp deltas all fit a double exactly. */
  varint(): number {
    const buf = this.buf;
    if (this.pos >= buf.length) throw truncated();
    let byte = buf[this.pos++]!;
    let value = byte & 0x7f;
    let scale = 128;
    while (byte >= 0x80) {
      if (this.pos >= buf.length || scale > 2 ** 56) throw truncated();
      byte = buf[this.pos++]!;
      value += (byte & 0x7f) * scale;
      scale *= 128;
    }
    return value % 2 === 1 ? -(value + 1) / 2 : value / 2;
  }

  bytes(): Buffer | null {
    const start = this.skipBytes();
    return start < 0 ? null : this.buf.subarray(start, this.pos);
  }

  /** Moves past a length-prefixed field; returns where its bytes start, -1 for null (they end at `pos`). */
  skipBytes(): number {
    const length = this.varint();
    if (length < 0) return -1;
    const start = this.pos;
    this.pos += length;
    if (this.pos > this.buf.length) throw truncated();
    return start;
  }
}

/** Retriable: the same offsets are fetched again, after a backoff, as for any failed fetch. */
function invalid(message: string): SinkError {
  return new SinkError('KAFKA_FETCH_INVALID', message, { retriable: true });
}

function truncated(): SinkError {
  return invalid('a record batch ends inside a record: the fetch answer is corrupt');
}

function int64(bytes: Buffer, at: number): number {
  return bytes.readInt32BE(at) * 2 ** 32 + bytes.readUInt32BE(at + 4);
}

function records(bytes: Buffer, start: number, end: number, attributes: number): RecordCursor {
  const compression = attributes & COMPRESSION;
  if (compression === 0) return new RecordCursor(bytes.subarray(0, end), start);
  const algorithm = compressionsAlgorithmsByBitmask[compression as keyof typeof compressionsAlgorithmsByBitmask];
  if (algorithm === undefined) {
    throw invalid(`a record batch uses an unknown compression (attribute bits ${compression})`);
  }
  const inflated = algorithm.decompressSync(bytes.subarray(start, end)) as Buffer | { slice(): Buffer };
  return new RecordCursor(Buffer.isBuffer(inflated) ? inflated : inflated.slice(), 0);
}

function isAbortMarker(cursor: RecordCursor): boolean {
  cursor.varint(); // record length
  cursor.pos++; // attributes
  cursor.varint(); // timestamp delta
  cursor.varint(); // offset delta
  const key = cursor.bytes();
  return key !== null && key.length >= 4 && key.readInt16BE(2) === ABORT_MARKER;
}

/**
 * Appends the deliverable records in `bytes` (a partition's record batches, in offset order) to `into`
 * and moves `position.next` past every whole batch read, delivered or not. `from` is the offset the
 * fetch asked for. A batch cut off at the end of the answer (the broker fills up to its byte limit) is
 * left for the next fetch. On a corrupt answer it throws KAFKA_FETCH_INVALID with `position` as it was
 * (what `into` got is to be dropped), so the same offsets are fetched again.
 */
export function takeRecords(
  topic: string,
  partition: number,
  from: number,
  bytes: Buffer,
  aborted: readonly AbortedTransaction[] | null,
  position: FetchPosition,
  into: KafkaRecord[],
): void {
  const next = position.next;
  const aborting = position.aborting.size === 0 ? [] : [...position.aborting];
  try {
    readBatches(topic, partition, from, bytes, aborted, position, into);
  } catch (error) {
    position.next = next;
    position.aborting.clear();
    for (const producer of aborting) position.aborting.add(producer);
    throw error;
  }
}

function readBatches(
  topic: string,
  partition: number,
  from: number,
  bytes: Buffer,
  aborted: readonly AbortedTransaction[] | null,
  position: FetchPosition,
  into: KafkaRecord[],
): void {
  // The broker lists the aborted transactions overlapping this response; each begins to apply at its
  // first offset and ends at its producer's abort marker (the Java client reads them the same way).
  const pending = aborted === null || aborted.length === 0 ? [] : [...aborted].sort(byFirstOffset);
  let nextAborted = 0;
  let at = 0;
  while (at + LOG_OVERHEAD <= bytes.length) {
    const end = at + LOG_OVERHEAD + bytes.readInt32BE(at + BATCH.length);
    if (end > bytes.length || end < at + BATCH.records) break;
    const magic = bytes.readInt8(at + BATCH.magic);
    if (magic !== MESSAGE_FORMAT) {
      throw invalid(
        `a record batch has message format ${magic}; only format ${MESSAGE_FORMAT} (Kafka 0.11 and later) is read`,
      );
    }
    const first = int64(bytes, at);
    const attributes = bytes.readInt16BE(at + BATCH.attributes);
    const last = first + bytes.readInt32BE(at + BATCH.lastOffsetDelta);
    const batchStart = at;
    at = end;
    if (last >= position.next) position.next = last + 1;
    const producerId = bytes.readBigInt64BE(batchStart + BATCH.producerId);
    if ((attributes & TRANSACTIONAL) !== 0) {
      while (nextAborted < pending.length && pending[nextAborted]!.firstOffset <= BigInt(last)) {
        position.aborting.add(pending[nextAborted]!.producerId);
        nextAborted++;
      }
    }
    const count = bytes.readInt32BE(batchStart + BATCH.recordCount);
    if ((attributes & CONTROL) !== 0) {
      const cursor = records(bytes, batchStart + BATCH.records, end, attributes);
      if (count > 0 && isAbortMarker(cursor)) position.aborting.delete(producerId);
      continue;
    }
    if ((attributes & TRANSACTIONAL) !== 0 && position.aborting.has(producerId)) continue;
    if (last < from) continue;
    const logAppend = (attributes & TIMESTAMP_LOG_APPEND_TIME) !== 0;
    const firstTimestamp = int64(bytes, batchStart + BATCH.firstTimestamp);
    const maxTimestamp = int64(bytes, batchStart + BATCH.maxTimestamp);
    const cursor = records(bytes, batchStart + BATCH.records, end, attributes);
    for (let i = 0; i < count; i++) {
      const length = cursor.varint();
      const recordEnd = cursor.pos + length;
      if (recordEnd > cursor.buf.length) throw truncated();
      cursor.pos++; // attributes: unused in format 2
      const timestampDelta = cursor.varint();
      const offset = first + cursor.varint();
      const keyStart = cursor.skipBytes();
      const keyEnd = cursor.pos;
      const valueStart = cursor.skipBytes();
      const valueEnd = cursor.pos;
      if (valueEnd > recordEnd) throw truncated();
      // Headers are not read by the sink: skip to the record's end.
      cursor.pos = recordEnd;
      if (offset < from) continue;
      const timestamp = logAppend ? maxTimestamp : firstTimestamp + timestampDelta;
      into.push(
        new FetchedRecord(topic, partition, offset, timestamp, cursor.buf, keyStart, keyEnd, valueStart, valueEnd),
      );
    }
  }
}

function byFirstOffset(a: AbortedTransaction, b: AbortedTransaction): number {
  return a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0;
}
