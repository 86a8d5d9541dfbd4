/**
 * Confluent wire format: one magic byte (0), the writer schema id as a 4-byte big-endian integer, then
 * the Avro binary payload. Everything that is not that shape is a poison record, reported as WIRE_FORMAT
 * so the caller can dead-letter it with the raw bytes.
 */
import { SinkError } from '../core/errors.ts';

export const MAGIC_BYTE = 0;
export const HEADER_LENGTH = 5;

export interface WireHeader {
  readonly schemaId: number;
  /** View into the original buffer (no copy): the Avro binary body. */
  readonly payload: Buffer;
}

/** Writes the 5-byte header (magic byte, schema id) at the start of `buf`; the Avro body goes after it. */
export function writeWireHeader(buf: Buffer, schemaId: number): void {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0xffffffff) {
    throw new RangeError(`schema id must be an integer in 0..2^32-1, got ${schemaId}`);
  }
  buf[0] = MAGIC_BYTE;
  buf.writeUInt32BE(schemaId, 1);
}

/** A whole Confluent wire-format message: header, then a copy of the Avro body (producers, tools, tests). */
export function encodeWire(schemaId: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_LENGTH + payload.length);
  writeWireHeader(out, schemaId);
  payload.copy(out, HEADER_LENGTH);
  return out;
}

export function decodeWireHeader(buf: Buffer | null | undefined): WireHeader {
  if (buf === null || buf === undefined) {
    throw new SinkError(
      'WIRE_FORMAT',
      'message has no value (null); expected Confluent wire format (magic byte 0x00 + 4-byte schema id)',
    );
  }
  if (buf.length < HEADER_LENGTH) {
    throw new SinkError(
      'WIRE_FORMAT',
      buf.length === 0
        ? 'message is empty (0 bytes); expected Confluent wire format (magic byte 0x00 + 4-byte schema id)'
        : `message is ${buf.length} byte${buf.length === 1 ? '' : 's'} long, shorter than the 5-byte Confluent wire format header`,
    );
  }
  const magic = buf[0]!;
  if (magic !== MAGIC_BYTE) {
    throw new SinkError(
      'WIRE_FORMAT',
      `magic byte 0x${magic.toString(16).padStart(2, '0')}, expected 0x00: not Confluent wire format`,
    );
  }
  // Unsigned read: Confluent ids are signed ints in Java, but registries only hand out positive ids, and
  // an unsigned reading keeps a garbled header from turning into a negative id in log lines.
  return { schemaId: buf.readUInt32BE(1), payload: buf.subarray(HEADER_LENGTH) };
}
