/**
 * Avro logical types as avsc LogicalType subclasses. Decoded values are the exact text forms the sink
 * writes (decimal "123.45", date "2024-01-31", time "13:45:10.123", timestamp "2024-01-31 13:45:10.123"
 * UTC, uuid "xxxxxxxx-…"): lossless, time-zone free, and directly usable for SQL parameters and JSON.
 * Range checks against MySQL limits live in the column model, not here: decoding only fails on bytes
 * that are not valid Avro. Encoding (`toBuffer`) accepts the same text forms, plus the underlying
 * numbers and, for dates and timestamps, JS Date objects.
 *
 * A logical type whose parameters are invalid falls back to its underlying type, as the Avro spec says
 * (avsc does that when a constructor here throws).
 */
import avro from 'avsc';
import type { Type } from 'avsc';
import { decimalBytesToText, decimalToUnscaled, digitCount, maxPrecisionForFixed, unscaledToBytes } from './decimal.ts';
import {
  formatDate,
  formatTime,
  formatTimestampMicros,
  formatTimestampMillis,
  parseDate,
  parseTimeMicros,
  parseTimestampMicros,
} from './temporal.ts';
import { isAvroLong, toAvroLong, type AvroLong } from './long-type.ts';

type Schema = Record<string, unknown>;

/**
 * The schema object whose logical type is being built right now. avsc builds the underlying type by
 * calling forSchema again with the same object; the type hook uses this to hand out the exact long for
 * that inner call (and only that one).
 */
let constructing: unknown = null;

export function isUnderlyingOfLogical(schema: unknown): boolean {
  return schema === constructing;
}

function underlyingName(type: Type): string {
  return avro.Type.isType(type, 'logical') ? 'logical' : type.typeName;
}

export abstract class SinkLogicalType extends avro.types.LogicalType {
  constructor(schema: Schema, opts: unknown, allowed: readonly string[]) {
    const previous = constructing;
    constructing = schema;
    try {
      super(schema as unknown as avro.Schema, opts);
    } finally {
      constructing = previous;
    }
    const base = underlyingName(this.underlyingType);
    if (!allowed.includes(base)) {
      throw new Error(`logical type ${String(schema['logicalType'])} cannot annotate ${base}`);
    }
  }

  protected override _resolve(type: Type): ((value: unknown) => unknown) | undefined {
    if (type.typeName === this.typeName) return (value) => value;
    if (type.typeName === this.underlyingType.typeName) return (value) => this._fromValue(value);
    return undefined;
  }
}

export class DecimalType extends SinkLogicalType {
  readonly precision: number;
  readonly scale: number;
  readonly #fixedSize: number | undefined;

  constructor(schema: Schema, opts?: unknown) {
    super(schema, opts, ['bytes', 'fixed']);
    const precision = schema['precision'];
    const scale = schema['scale'] ?? 0;
    if (typeof precision !== 'number' || !Number.isInteger(precision) || precision < 1) {
      throw new Error(`decimal precision must be a positive integer, got ${String(precision)}`);
    }
    if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > precision) {
      throw new Error(`decimal scale must be an integer in 0..precision, got ${String(scale)}`);
    }
    const size =
      this.underlyingType.typeName === 'fixed' ? (this.underlyingType as unknown as { size: number }).size : undefined;
    if (size !== undefined && precision > maxPrecisionForFixed(size)) {
      throw new Error(`decimal precision ${precision} does not fit fixed(${size})`);
    }
    this.precision = precision;
    this.scale = scale;
    this.#fixedSize = size;
  }

  protected override _fromValue(bytes: Buffer): string {
    return decimalBytesToText(bytes, this.scale);
  }

  protected override _toValue(value: unknown): Buffer {
    const unscaled = decimalToUnscaled(value, this.scale);
    if (digitCount(unscaled) > this.precision) {
      throw new RangeError(`${String(value)} has more than ${this.precision} digits`);
    }
    return unscaledToBytes(unscaled, this.#fixedSize);
  }

  protected override _resolve(type: Type): ((value: unknown) => unknown) | undefined {
    if (type instanceof DecimalType && (type.scale !== this.scale || type.precision > this.precision)) return undefined;
    return super._resolve(type);
  }

  protected override _export(schema: avro.Schema): void {
    const s = schema as unknown as Schema;
    s['precision'] = this.precision;
    s['scale'] = this.scale;
  }
}

export class DateType extends SinkLogicalType {
  constructor(schema: Schema, opts?: unknown) {
    super(schema, opts, ['int']);
  }

  protected override _fromValue(days: number): string {
    return formatDate(days);
  }

  protected override _toValue(value: unknown): number | undefined {
    if (typeof value === 'number') return value;
    if (typeof value === 'string') return parseDate(value);
    if (value instanceof Date) return Math.floor(value.getTime() / 86_400_000);
    return undefined;
  }
}

export class TimeMillisType extends SinkLogicalType {
  constructor(schema: Schema, opts?: unknown) {
    super(schema, opts, ['int']);
  }

  protected override _fromValue(ms: number): string {
    return formatTime(ms, 'ms');
  }

  protected override _toValue(value: unknown): number | undefined {
    if (typeof value === 'number') return value;
    if (typeof value !== 'string') return undefined;
    const us = parseTimeMicros(value);
    return us === undefined || us % 1000 !== 0 ? undefined : us / 1000;
  }
}

export class TimeMicrosType extends SinkLogicalType {
  constructor(schema: Schema, opts?: unknown) {
    super(schema, opts, ['abstract:long', 'long']);
  }

  protected override _fromValue(us: AvroLong): string {
    // Any valid time of day is far below 2^53; a bigint here is garbage that the column model rejects.
    return formatTime(Number(us), 'us');
  }

  protected override _toValue(value: unknown): AvroLong | undefined {
    if (isAvroLong(value)) return value;
    return typeof value === 'string' ? parseTimeMicros(value) : undefined;
  }
}

function timestampToValue(value: unknown, unitsPerMs: 1 | 1000): AvroLong | undefined {
  if (isAvroLong(value)) return value;
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isNaN(ms) ? undefined : ms * unitsPerMs;
  }
  if (typeof value !== 'string') return undefined;
  const us = parseTimestampMicros(value);
  if (us === undefined) return undefined;
  if (unitsPerMs === 1000) return toAvroLong(us);
  return us % 1000n === 0n ? toAvroLong(us / 1000n) : undefined;
}

/** timestamp-millis and timestamp-micros: one text form, two resolutions of the underlying long. */
abstract class TimestampType extends SinkLogicalType {
  protected abstract readonly unitsPerMs: 1 | 1000;

  constructor(schema: Schema, opts?: unknown) {
    super(schema, opts, ['abstract:long', 'long']);
  }

  protected override _fromValue(value: AvroLong): string {
    return this.unitsPerMs === 1 ? formatTimestampMillis(value) : formatTimestampMicros(value);
  }

  protected override _toValue(value: unknown): AvroLong | undefined {
    return timestampToValue(value, this.unitsPerMs);
  }
}

export class TimestampMillisType extends TimestampType {
  protected readonly unitsPerMs = 1;
}

export class TimestampMicrosType extends TimestampType {
  protected readonly unitsPerMs = 1000;
}

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** uuid on string (Avro ≤ 1.11) or on fixed(16) (Avro 1.12); both decode to the 36-char text. */
export class UuidType extends SinkLogicalType {
  readonly #onFixed: boolean;

  constructor(schema: Schema, opts?: unknown) {
    super(schema, opts, ['string', 'fixed']);
    this.#onFixed = this.underlyingType.typeName === 'fixed';
    if (this.#onFixed && (this.underlyingType as unknown as { size: number }).size !== 16) {
      throw new Error('uuid on fixed needs size 16');
    }
  }

  protected override _fromValue(value: string | Buffer): string {
    if (typeof value === 'string') return value;
    const hex = value.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  protected override _toValue(value: unknown): string | Buffer | undefined {
    if (typeof value !== 'string') return undefined;
    if (!this.#onFixed) return value;
    return UUID_RE.test(value) ? Buffer.from(value.replaceAll('-', ''), 'hex') : undefined;
  }
}

/** Passed to avsc as `logicalTypes`. */
export const LOGICAL_TYPES = {
  decimal: DecimalType,
  date: DateType,
  'time-millis': TimeMillisType,
  'time-micros': TimeMicrosType,
  'timestamp-millis': TimestampMillisType,
  'timestamp-micros': TimestampMicrosType,
  uuid: UuidType,
} as const;
