/**
 * Kafka message bytes → decoded Avro value, using the writer schema named in the Confluent header.
 * Writer schemas come from a SchemaCache (`RegistryClient.schemas` in production, over a map in unit tests).
 *
 * Errors: WIRE_FORMAT (header), whatever the lookup throws (SCHEMA_NOT_FOUND, REGISTRY_UNAVAILABLE, …),
 * DECODE_FAILED (payload does not match its schema: truncated, trailing bytes, garbled), INVALID_UTF8 (a
 * string that is not UTF-8, see string-type.ts). WIRE_FORMAT, SCHEMA_NOT_FOUND, DECODE_FAILED and
 * INVALID_UTF8 are properties of the record: dead-letter it.
 */
import type { Type } from 'avsc';
import { SinkError, describeError, isSinkError } from '../core/errors.ts';
import { FetchedRecord, type KafkaRecord } from '../core/records.ts';
import type { SchemaCache } from './schema-cache.ts';
import { HEADER_LENGTH, MAGIC_BYTE, decodeWireHeader } from './wire-format.ts';

export interface DecodedRecord {
  readonly schemaId: number;
  /** Writer schema. */
  readonly type: Type;
  readonly value: unknown;
}

/** Decodes one Avro body with its writer type; any avsc failure becomes DECODE_FAILED. */
export function decodePayload(type: Type, schemaId: number, payload: Buffer): unknown {
  try {
    return type.fromBuffer(payload);
  } catch (error) {
    if (isSinkError(error, 'INVALID_UTF8')) throw error;
    throw new SinkError(
      'DECODE_FAILED',
      `cannot decode ${payload.length}-byte Avro payload with schema id ${schemaId}: ${describeError(error)}`,
      { cause: error },
    );
  }
}

export class RecordDecoder {
  readonly #schemas: SchemaCache;

  constructor(schemas: SchemaCache) {
    this.#schemas = schemas;
  }

  /** Decodes a message value. */
  async decode(buf: Buffer | null | undefined): Promise<DecodedRecord> {
    const { schemaId, payload } = decodeWireHeader(buf);
    const type = this.#schemas.known(schemaId) ?? (await this.#schemas.get(schemaId));
    return { schemaId, type, value: decodePayload(type, schemaId, payload) };
  }

  /**
   * Synchronous decode when the writer schema is already known; undefined when it is not (then call
   * `decode`). Throws like `decode` otherwise. Saves a promise per record on the hot path.
   */
  decodeIfKnown(buf: Buffer | null | undefined): DecodedRecord | undefined {
    if (buf === null || buf === undefined) {
      decodeWireHeader(buf); // throws the WIRE_FORMAT error of a message without a value
      return undefined;
    }
    return this.#decodeKnown(buf, 0, buf.length);
  }

  /** `decodeIfKnown` of a record's value, read in place when the record holds it as a range. */
  decodeValueIfKnown(record: KafkaRecord): DecodedRecord | undefined {
    if (record instanceof FetchedRecord && record.valueStart >= 0) {
      return this.#decodeKnown(record.source, record.valueStart, record.valueEnd);
    }
    return this.decodeIfKnown(record.value);
  }

  /** The message is `buf[start, end)`; read in place, without a view per record. */
  #decodeKnown(buf: Buffer, start: number, end: number): DecodedRecord | undefined {
    if (end - start < HEADER_LENGTH || buf[start] !== MAGIC_BYTE) {
      decodeWireHeader(buf.subarray(start, end)); // throws the precise WIRE_FORMAT error
    }
    const schemaId = buf.readUInt32BE(start + 1);
    const type = this.#schemas.known(schemaId);
    if (type === undefined) return undefined;
    let decoded: { value: unknown; offset: number };
    try {
      decoded = type.decode(buf, start + HEADER_LENGTH);
    } catch {
      // Garbled body: the strict decoder throws DECODE_FAILED with the precise reason.
      return { schemaId, type, value: decodePayload(type, schemaId, buf.subarray(start + HEADER_LENGTH, end)) };
    }
    if (decoded.offset !== end) {
      // Truncated, trailing bytes, or read on past the message's end: let the strict decoder word the error.
      return { schemaId, type, value: decodePayload(type, schemaId, buf.subarray(start + HEADER_LENGTH, end)) };
    }
    return { schemaId, type, value: decoded.value };
  }
}
