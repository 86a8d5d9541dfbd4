/**
 * Avro long that never loses precision: a plain number when the value is a safe integer (nearly every
 * value, and the fast path at ~100k records/s), a bigint beyond ±(2^53 − 1). avsc's own long throws on
 * those instead. Consumers of decoded values must therefore accept `number | bigint` for longs.
 */
import avro from 'avsc';
import type { Type } from 'avsc';

const TWO_32 = 4294967296;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

export type AvroLong = number | bigint;

export function isAvroLong(value: unknown): value is AvroLong {
  return typeof value === 'number'
    ? Number.isSafeInteger(value)
    : typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX;
}

/** Normalises to the decoded representation: number when safe, bigint otherwise. */
export function toAvroLong(value: number | bigint | string): AvroLong {
  if (typeof value === 'number') return value;
  const big = BigInt(value);
  return big >= -9007199254740991n && big <= 9007199254740991n ? Number(big) : big;
}

const UNPACKING_LONG: Type = avro.types.LongType.__with({
  fromBuffer(buf: Buffer): AvroLong {
    const hi = buf.readInt32LE(4);
    // Within ±2^53 the high word is within ±2^21 and the two words combine exactly as a double;
    // -2^53 itself is exact but not a safe integer, so it goes the bigint way like all unsafe values.
    if (hi > -2097152 && hi < 2097152) return hi * TWO_32 + buf.readUInt32LE(0);
    if (hi === -2097152) {
      const lo = buf.readUInt32LE(0);
      if (lo !== 0) return hi * TWO_32 + lo;
    }
    return buf.readBigInt64LE(0);
  },
  toBuffer(value: AvroLong): Buffer {
    const buf = Buffer.allocUnsafe(8);
    buf.writeBigInt64LE(BigInt(value));
    return buf;
  },
  fromJSON(value: unknown): AvroLong {
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') return toAvroLong(value);
    throw new TypeError(`not a long: ${String(value)}`);
  },
  // Identity: avsc clones through toJSON → fromJSON, so a lossy number here would corrupt big values.
  toJSON(value: AvroLong): AvroLong {
    return value;
  },
  isValid: isAvroLong,
  compare(a: AvroLong, b: AvroLong): number {
    return a < b ? -1 : a > b ? 1 : 0;
  },
});

interface LongTap {
  readonly buf: Buffer;
  pos: number;
  readLong(): number;
}

/** A zigzag varint of at most 7 bytes holds under 2^49: avsc's float reader is exact there. */
const EXACT_VARINT_BYTES = 7;
/** 64 bits take at most 10 varint bytes; a longer one is not Avro. */
const MAX_VARINT_BYTES = 10;

/**
 * Reads a zigzag varint of any length in place, as two 32-bit halves, so no bit is lost: a number when
 * the value is a safe integer, else a bigint (as UNPACKING_LONG.fromBuffer, without its 8-byte Buffer).
 * A varint running past the buffer leaves `pos` beyond it, which avsc reports as truncated.
 */
function readLongInPlace(tap: LongTap): AvroLong {
  const buf = tap.buf;
  let pos = tap.pos;
  let lo = 0;
  let hi = 0;
  let byte = 0x80;
  for (let shift = 0; shift < 28 && byte >= 0x80; shift += 7) {
    byte = buf[pos++] ?? 0;
    lo |= (byte & 0x7f) << shift;
  }
  if (byte >= 0x80) {
    byte = buf[pos++] ?? 0;
    lo |= (byte & 0x7f) << 28;
    hi = (byte & 0x7f) >>> 4;
    for (let shift = 3; shift < 32 && byte >= 0x80; shift += 7) {
      byte = buf[pos++] ?? 0;
      hi |= (byte & 0x7f) << shift;
    }
    if (byte >= 0x80) throw new Error(`a long's varint is longer than ${MAX_VARINT_BYTES} bytes`);
  }
  tap.pos = pos;
  // Zigzag over 64 bits: (n >>> 1) ^ -(n & 1), half by half.
  const negative = lo & 1;
  let low = ((lo >>> 1) | (hi << 31)) >>> 0;
  let high = hi >>> 1;
  if (negative !== 0) {
    low = ~low >>> 0;
    high = ~high;
  }
  high |= 0;
  // Within ±2^53 the high word is within ±2^21 and the halves combine exactly as a double; -2^53 itself
  // is exact but not a safe integer, so it goes the bigint way like all unsafe values.
  if (high > -2097152 && high < 2097152) return high * TWO_32 + low;
  if (high === -2097152 && low !== 0) return high * TWO_32 + low;
  return (BigInt(high) << 32n) | BigInt(low);
}

/**
 * avsc reads a customised long by unpacking it into a fresh 8-byte Buffer: a sixth of what a drain
 * allocated (`./kms bench`, heap sampling). Here every long is read in place: values that fit 7 varint
 * bytes (every timestamp and counter in practice) by avsc's own number reader, longer ones exactly by
 * readLongInPlace. avsc freezes the type it builds, so the faster reader sits on an object inheriting
 * from it.
 */
export const LONG_TYPE: Type = Object.freeze(
  Object.assign(Object.create(UNPACKING_LONG) as Type, {
    _read(this: unknown, tap: LongTap): AvroLong {
      const { buf, pos } = tap;
      let last = pos;
      while ((buf[last]! & 0x80) !== 0 && last - pos < EXACT_VARINT_BYTES) last++;
      return last - pos < EXACT_VARINT_BYTES ? tap.readLong() : readLongInPlace(tap);
    },
  }),
);
