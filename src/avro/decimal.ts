/**
 * Avro decimal ↔ exact decimal text. The unscaled value is a big-endian two's-complement integer; the
 * text form ("-123.45") never goes through a float, so DECIMAL columns get exactly what was sent.
 */

/** Unscaled two's-complement bytes + scale → decimal text, e.g. (0x3039, 2) → "123.45". */
export function decimalBytesToText(bytes: Uint8Array, scale: number): string {
  const len = bytes.length;
  let digits: string;
  let negative: boolean;
  if (len === 0) {
    digits = '0';
    negative = false;
  } else if (len <= 6) {
    // Fits a double exactly: the common case (precision up to 14) stays off BigInt.
    let n = bytes[0]! & 0x80 ? -1 : 0;
    for (let i = 0; i < len; i++) n = n * 256 + bytes[i]!;
    negative = n < 0;
    digits = '' + (negative ? -n : n);
  } else {
    let n = bytes[0]! & 0x80 ? -1n : 0n;
    for (let i = 0; i < len; i++) n = (n << 8n) | BigInt(bytes[i]!);
    negative = n < 0n;
    digits = (negative ? -n : n).toString();
  }
  if (scale > 0) {
    if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
    digits = digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
  }
  return negative ? '-' + digits : digits;
}

const DECIMAL_TEXT_RE = /^([+-])?(\d*)(?:\.(\d*))?$/;

/**
 * Decimal text (or a number / bigint) → unscaled integer at `scale`. Throws when the value has more
 * fractional digits than `scale` (no silent rounding) or is not a decimal number.
 */
export function decimalToUnscaled(value: unknown, scale: number): bigint {
  let text: string;
  if (typeof value === 'bigint') text = value.toString();
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`decimal value must be finite, got ${value}`);
    // Shortest round-trip text; toFixed would invent binary noise digits.
    text = Math.abs(value) < 1e21 && !/e/i.test(String(value)) ? String(value) : value.toFixed(scale);
  } else if (typeof value === 'string') text = value.trim();
  else throw new TypeError(`decimal value must be a string, number or bigint, got ${typeof value}`);
  const m = DECIMAL_TEXT_RE.exec(text);
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) {
    throw new RangeError(`not a decimal number: ${JSON.stringify(text)}`);
  }
  let frac = m[3] ?? '';
  if (frac.length > scale) {
    if (/[^0]/.test(frac.slice(scale))) {
      throw new RangeError(`${text} has more than ${scale} fractional digit(s)`);
    }
    frac = frac.slice(0, scale);
  }
  const unscaled = BigInt((m[2] || '0') + frac.padEnd(scale, '0'));
  return m[1] === '-' ? -unscaled : unscaled;
}

/** Number of decimal digits of |n| (0 counts as 1). */
export function digitCount(n: bigint): number {
  return (n < 0n ? -n : n).toString().length;
}

/** Minimal big-endian two's complement, or exactly `size` bytes (sign-extended) for fixed. */
export function unscaledToBytes(n: bigint, size?: number): Buffer {
  let len = 1;
  // Smallest length whose signed range holds n.
  while (n >= 1n << BigInt(8 * len - 1) || n < -(1n << BigInt(8 * len - 1))) len++;
  if (size !== undefined) {
    if (len > size) throw new RangeError(`decimal unscaled value ${n} does not fit ${size} bytes`);
    len = size;
  }
  const out = Buffer.alloc(len);
  let v = BigInt.asUintN(8 * len, n);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Largest precision a fixed of `size` bytes can always hold: floor(log10(2^(8·size−1) − 1)). */
export function maxPrecisionForFixed(size: number): number {
  return ((1n << BigInt(8 * size - 1)) - 1n).toString().length - 1;
}
