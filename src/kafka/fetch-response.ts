/**
 * The Fetch API as the record fetcher calls it: the pure-JS client's own request encoders and
 * connections, with a response reader that leaves each partition's record batches as raw bytes for
 * fetched-records.ts instead of parsing every record into objects first. Fetch versions 13 to 17 (Kafka
 * 3.1 and later) share one response layout; only their tagged fields differ, and those are skipped.
 */
import {
  type Connection,
  createAPI,
  fetchV13,
  fetchV14,
  fetchV15,
  fetchV16,
  fetchV17,
  type Reader,
} from '@platformatic/kafka';
import type { AbortedTransaction } from './fetched-records.ts';

export const FETCH_API_KEY = 1;
export const FETCH_VERSIONS = { min: 13, max: 17 } as const;

export interface FetchedPartition {
  readonly partition: number;
  readonly errorCode: number;
  readonly abortedTransactions: AbortedTransaction[] | null;
  /** The partition's record batches as the broker sent them; empty when it had none. */
  readonly records: Buffer;
}

export interface FetchAnswer {
  readonly errorCode: number;
  readonly topics: readonly { readonly topicId: string; readonly partitions: readonly FetchedPartition[] }[];
}

export interface FetchPartitionRequest {
  readonly partition: number;
  readonly fetchOffset: bigint;
  readonly partitionMaxBytes: number;
  readonly currentLeaderEpoch: number;
  readonly lastFetchedEpoch: number;
}

export interface FetchRequest {
  readonly maxWaitTime: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly isolationLevel: 0 | 1;
  readonly topics: readonly { readonly topicId: string; readonly partitions: readonly FetchPartitionRequest[] }[];
}

const EMPTY: Buffer = Buffer.alloc(0);

function skipTaggedFields(reader: Reader): void {
  const count = reader.readUnsignedVarInt();
  for (let i = 0; i < count; i++) {
    reader.readUnsignedVarInt(); // tag
    reader.skip(reader.readUnsignedVarInt());
  }
}

function readPartition(reader: Reader): FetchedPartition {
  const partition = reader.readInt32();
  const errorCode = reader.readInt16();
  reader.skip(8 + 8 + 8); // high watermark, last stable offset, log start offset
  const abortedTransactions = reader.readNullableArray((r) => ({
    producerId: r.readInt64(),
    firstOffset: r.readInt64(),
  }));
  reader.readInt32(); // preferred read replica: the sink reads from leaders
  // COMPACT_RECORDS: length + 1, 0 for null.
  const size = reader.readUnsignedVarInt();
  let records: Buffer = EMPTY;
  if (size > 1) {
    records = reader.buffer.slice(reader.position, reader.position + size - 1);
    reader.skip(size - 1);
  }
  skipTaggedFields(reader);
  return { partition, errorCode, abortedTransactions, records };
}

/** Reads a Fetch response (v13-v17); the error codes are left to the caller, which knows what it asked. */
export function readFetchResponse(
  _correlationId: number,
  _apiKey: number,
  _apiVersion: number,
  reader: Reader,
): FetchAnswer {
  reader.readInt32(); // throttle time
  const errorCode = reader.readInt16();
  reader.readInt32(); // session id: the fetcher uses no fetch session
  const topics = reader.readArray((r) => ({
    topicId: r.readUUID(),
    partitions: r.readArray(readPartition, true, false),
  }));
  skipTaggedFields(reader);
  return { errorCode, topics };
}

const encoders = {
  13: fetchV13.createRequest,
  14: fetchV14.createRequest,
  15: fetchV15.createRequest,
  16: fetchV16.createRequest,
  17: fetchV17.createRequest,
} as const;

export type FetchVersion = keyof typeof encoders;

export type FetchCall = (
  connection: Connection,
  request: FetchRequest,
  callback: (error: Error | null, answer?: FetchAnswer) => void,
) => void;

/**
 * The Fetch call of `version`, without a fetch session (session id 0, epoch -1: every request names its
 * partitions, which for one topic's few partitions costs less than keeping a session in step).
 */
export function fetchCall(version: FetchVersion): FetchCall {
  const api = createAPI<unknown[], FetchAnswer>(FETCH_API_KEY, version, encoders[version], readFetchResponse);
  return (connection, request, callback) => {
    api(
      connection,
      request.maxWaitTime,
      request.minBytes,
      request.maxBytes,
      request.isolationLevel,
      0,
      -1,
      request.topics,
      [],
      '',
      callback,
    );
  };
}
