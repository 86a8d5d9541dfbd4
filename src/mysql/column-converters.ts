/**
 * Per-column value converters: decoded Avro value → SQL parameter, or a VALUE_REJECTED SinkError naming
 * the field when the column cannot hold it. Built once per schema; each is a small closure with no
 * schema lookups, since they run for every field of every record.
 */
import { SinkError } from '../core/errors.ts';
import { NonFiniteNumberError, toJsonText } from '../avro/json-value.ts';

export type Converter = (value: unknown) => unknown;

export function rejected(field: string, why: string): SinkError {
  return new SinkError('VALUE_REJECTED', `field ${JSON.stringify(field)}: ${why}`);
}

function shortText(value: string): string {
  return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value);
}

export const identity: Converter = (value) => value;

/** FLOAT / DOUBLE: MySQL has no NaN or infinities. */
export function finiteNumber(field: string): Converter {
  return (value) => {
    if (Number.isFinite(value)) return value;
    throw rejected(field, `${String(value)} cannot be stored in a FLOAT/DOUBLE column`);
  };
}

/** Code points in `s`, counting a surrogate pair once (MySQL VARCHAR(n) counts characters). */
function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * A string longer than its column: VALUE_REJECTED like any value the column cannot hold, but with the
 * sizes, so that with sink.auto.evolve the column can be widened instead (record-preparer.ts).
 */
export class ValueTooLong extends SinkError {
  readonly field: string;
  readonly chars: number;
  readonly bytes: number;

  constructor(field: string, value: string, why: string) {
    super('VALUE_REJECTED', `field ${JSON.stringify(field)}: ${why}`);
    this.field = field;
    this.chars = codePointLength(value);
    this.bytes = Buffer.byteLength(value, 'utf8');
  }
}

/** VARCHAR(n) / CHAR(n): at most n characters. */
export function maxChars(field: string, limit: number, sqlType: string): Converter {
  return (value) => {
    const s = value as string;
    if (s.length <= limit || codePointLength(s) <= limit) return s;
    throw new ValueTooLong(field, s, `${codePointLength(s)} characters do not fit ${sqlType}`);
  };
}

/** TINYTEXT / TEXT / MEDIUMTEXT / LONGTEXT: at most n bytes of UTF-8. */
export function maxBytes(field: string, limit: number, sqlType: string): Converter {
  return (value) => {
    const s = value as string;
    // A UTF-16 unit is at most 3 UTF-8 bytes: most strings pass without measuring.
    if (s.length * 3 <= limit) return s;
    const bytes = Buffer.byteLength(s, 'utf8');
    if (bytes <= limit) return s;
    throw new ValueTooLong(field, s, `${bytes} bytes of UTF-8 do not fit ${sqlType}`);
  };
}

/** DECIMAL(p,s): the decoder's text always has exactly s fractional digits; check the integer digits. */
export function decimalText(field: string, precision: number, scale: number, sqlType: string): Converter {
  const maxIntegerDigits = precision - scale;
  return (value) => {
    const s = value as string;
    let start = s.charCodeAt(0) === 45 /* - */ ? 1 : 0;
    const dot = s.indexOf('.');
    const end = dot === -1 ? s.length : dot;
    while (start < end && s.charCodeAt(start) === 48 /* 0 */) start++;
    if (end - start <= maxIntegerDigits) return s;
    throw rejected(field, `decimal ${shortText(s)} has more than ${precision} digits for ${sqlType}`);
  };
}

function leadingYearOk(s: string): boolean {
  // 'YYYY-…' with YYYY in 1000..9999: four digits, the first non-zero. The decoder writes other years
  // with a sign or more digits, which this rejects.
  const c = s.charCodeAt(0);
  return c >= 49 && c <= 57 && s.charCodeAt(4) === 45;
}

/** DATE and DATETIME(n): MySQL's documented range, years 1000 to 9999. */
export function dateText(field: string, length: number, sqlType: string): Converter {
  return (value) => {
    const s = value as string;
    if (s.length === length && leadingYearOk(s)) return s;
    throw rejected(field, `${shortText(s)} is outside the ${sqlType} range (years 1000 to 9999)`);
  };
}

/** TIME(n) for Avro time-of-day: 00:00:00 up to, not including, 24:00:00. */
export function timeText(field: string, length: number, sqlType: string): Converter {
  return (value) => {
    const s = value as string;
    const h0 = s.charCodeAt(0);
    if (s.length === length && (h0 === 48 || h0 === 49 || (h0 === 50 && s.charCodeAt(1) < 52))) return s;
    throw rejected(field, `${shortText(s)} is not a time of day (${sqlType})`);
  };
}

const DURATION_RE = /^-?(\d{2,3}):([0-5]\d:[0-5]\d)(?:\.(\d{1,6}))?$/;

/** TIME(n) for a duration (Debezium's Time / MicroTime): MySQL's range, -838:59:59 to 838:59:59. */
export function durationText(field: string, sqlType: string): Converter {
  return (value) => {
    const s = value as string;
    const m = DURATION_RE.exec(s);
    if (m !== null) {
      const hours = Number(m[1]);
      if (hours < 838 || (hours === 838 && (m[2] !== '59:59' || Number(m[3] ?? '0') === 0))) return s;
    }
    throw rejected(field, `${shortText(String(s))} is outside the ${sqlType} range (-838:59:59 to 838:59:59)`);
  };
}

/** JSON column: bigint-safe JSON text; NaN / Infinity inside the value are rejected. */
export function jsonText(field: string): Converter {
  return (value) => {
    try {
      return toJsonText(value);
    } catch (error) {
      if (error instanceof NonFiniteNumberError) throw rejected(field, `${error.message} (JSON column)`);
      throw error;
    }
  };
}

/** Wraps the converter of T for a ["null", T] union. */
export function nullable(convert: Converter): Converter {
  return (value) => (value === null || value === undefined ? null : convert(value));
}
