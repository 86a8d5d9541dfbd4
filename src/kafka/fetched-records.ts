/**
 * One partition's part of a fetch response, turned into the sink's records: control batches (transaction
 * markers) skipped, records of aborted transactions skipped (read_committed), records before the offset
 * asked for skipped (a broker answers with whole batches), and the next offset to fetch. Pure: the
 * record fetcher keeps the per-partition state between responses.
 */
import type { KafkaRecord } from '../core/records.ts';

/** What the fetcher needs of a record batch (the pure-JS client's RecordsBatch has these fields). */
export interface FetchedBatch {
  readonly firstOffset: bigint;
  readonly lastOffsetDelta: number;
  readonly attributes: number;
  readonly firstTimestamp: bigint;
  readonly maxTimestamp: bigint;
  readonly producerId: bigint;
  readonly records: readonly {
    readonly offsetDelta: number;
    readonly timestampDelta: bigint;
    readonly key: Buffer | null;
    readonly value: Buffer | null;
  }[];
}

export interface AbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
}

const TIMESTAMP_LOG_APPEND_TIME = 1 << 3;
const TRANSACTIONAL = 1 << 4;
const CONTROL = 1 << 5;
const ABORT_MARKER = 0;

/** State one partition carries from one response to the next. */
export interface FetchPosition {
  /** The offset the next fetch asks for. */
  next: number;
  /** Producers whose open transaction was aborted and whose abort marker has not been read yet. */
  readonly aborting: Set<bigint>;
}

function isAbortMarker(batch: FetchedBatch): boolean {
  const key = batch.records[0]?.key;
  return key != null && key.length >= 4 && key.readInt16BE(2) === ABORT_MARKER;
}

/**
 * Appends the deliverable records of `batches` (in offset order) to `into` and moves `position.next`
 * past every batch read, delivered or not. `from` is the offset the fetch asked for.
 */
export function takeRecords(
  topic: string,
  partition: number,
  from: number,
  batches: readonly FetchedBatch[],
  aborted: readonly AbortedTransaction[] | null,
  position: FetchPosition,
  into: KafkaRecord[],
): void {
  // The broker lists the aborted transactions overlapping this response; each begins to apply at its
  // first offset and ends at its producer's abort marker (the Java client reads them the same way).
  const pending = aborted === null || aborted.length === 0 ? [] : [...aborted].sort(byFirstOffset);
  let nextAborted = 0;
  for (const batch of batches) {
    const first = Number(batch.firstOffset);
    const last = first + batch.lastOffsetDelta;
    if (last >= position.next) position.next = last + 1;
    if ((batch.attributes & TRANSACTIONAL) !== 0) {
      while (nextAborted < pending.length && pending[nextAborted]!.firstOffset <= BigInt(last)) {
        position.aborting.add(pending[nextAborted]!.producerId);
        nextAborted++;
      }
    }
    if ((batch.attributes & CONTROL) !== 0) {
      if (isAbortMarker(batch)) position.aborting.delete(batch.producerId);
      continue;
    }
    if ((batch.attributes & TRANSACTIONAL) !== 0 && position.aborting.has(batch.producerId)) continue;
    const logAppend = (batch.attributes & TIMESTAMP_LOG_APPEND_TIME) !== 0;
    const firstTimestamp = Number(batch.firstTimestamp);
    const maxTimestamp = Number(batch.maxTimestamp);
    for (const record of batch.records) {
      const offset = first + record.offsetDelta;
      if (offset < from) continue;
      into.push({
        topic,
        partition,
        offset,
        timestamp: logAppend ? maxTimestamp : firstTimestamp + Number(record.timestampDelta),
        key: record.key,
        value: record.value,
      });
    }
  }
}

function byFirstOffset(a: AbortedTransaction, b: AbortedTransaction): number {
  return a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0;
}
