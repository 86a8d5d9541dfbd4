/**
 * Kafka Connect's annotations on Avro types, kept instead of dropped. Connect converters (Confluent's
 * AvroData, Apicurio's) write a Connect schema's name, its integer width and its parameters as extra
 * attributes (`connect.name`, `connect.type`, `connect.parameters`) on plain Avro types; avsc forgets them.
 * parseAvroSchema turns such a type into a ConnectType (logical type `kms-connect`), which keeps them for the
 * column model and decodes the semantic types whose raw form is a number or a zoned text into the sink's
 * text forms:
 *
 * - io.debezium.time.Date (int days) and Connect Date → `YYYY-MM-DD`;
 * - io.debezium.time.Timestamp (ms), MicroTimestamp (µs), NanoTimestamp (ns, cut to µs: MySQL keeps 6
 *   digits) and Connect Timestamp → `YYYY-MM-DD HH:MM:SS.fff[fff]` UTC;
 * - io.debezium.time.ZonedTimestamp (ISO-8601 text with an offset) → the same UTC text with 6 digits;
 * - io.debezium.time.Time (ms), MicroTime (µs), NanoTime (ns) and Connect Time → `[-]HH:MM:SS.fff[fff]`
 *   (a MySQL TIME is a duration: hours may pass 23 or be negative);
 * - io.debezium.data.Bits (little-endian bytes) → big-endian bytes, the order a BIT column reads.
 *
 * Everything else decodes as its underlying type. A value that does not parse is passed on unchanged, so
 * the column model rejects it with a reason instead of the decoder failing the record as garbled.
 */
import type { Schema } from 'avsc';
import { SinkLogicalType } from './logical-types.ts';
import {
  formatDate,
  formatTime,
  formatTimestampMicros,
  formatTimestampMillis,
  parseTimestampMicros,
} from './temporal.ts';
import type { AvroLong } from './long-type.ts';

export const CONNECT_LOGICAL_TYPE = 'kms-connect';

/** The Avro primitives Connect annotates (records and enums keep their own attributes in avsc). */
const ANNOTATED = new Set(['boolean', 'int', 'long', 'float', 'double', 'string', 'bytes']);

/** A plain Avro primitive carrying Connect attributes: parseAvroSchema builds it as a ConnectType. */
export function hasConnectAnnotation(schema: Record<string, unknown>): boolean {
  return (
    ANNOTATED.has(schema['type'] as string) &&
    schema['logicalType'] === undefined &&
    (schema['connect.name'] !== undefined ||
      schema['connect.type'] !== undefined ||
      schema['connect.parameters'] !== undefined)
  );
}

type Render = (value: unknown) => unknown;

const US_PER_MS = 1000n;

function cutNanos(value: AvroLong): bigint {
  const ns = BigInt(value);
  let us = ns / US_PER_MS;
  if (ns < 0n && us * US_PER_MS !== ns) us -= 1n;
  return us;
}

const ZONED = /^(.+?)(?:(Z)|([+-])(\d{2}):?(\d{2}))$/;

/** ISO-8601 `2024-01-31T13:45:10.123456789+02:00` → UTC `2024-01-31 11:45:10.123456`; undefined if not one. */
export function zonedToUtcText(text: string): string | undefined {
  const m = ZONED.exec(text);
  if (m === null) return undefined;
  let local = m[1]!;
  const dot = local.indexOf('.');
  if (dot !== -1 && local.length - dot - 1 > 6) local = local.slice(0, dot + 7);
  const us = parseTimestampMicros(local);
  if (us === undefined) return undefined;
  const offsetMinutes = m[2] === 'Z' ? 0 : (m[3] === '-' ? -1 : 1) * (Number(m[4]) * 60 + Number(m[5]));
  return formatTimestampMicros(us - BigInt(offsetMinutes) * 60_000_000n);
}

const RENDERERS: Readonly<Record<string, Render>> = {
  'io.debezium.time.Date': (v) => formatDate(v as number),
  'org.apache.kafka.connect.data.Date': (v) => formatDate(v as number),
  'io.debezium.time.Timestamp': (v) => formatTimestampMillis(v as AvroLong),
  'org.apache.kafka.connect.data.Timestamp': (v) => formatTimestampMillis(v as AvroLong),
  'io.debezium.time.MicroTimestamp': (v) => formatTimestampMicros(v as AvroLong),
  'io.debezium.time.NanoTimestamp': (v) => formatTimestampMicros(cutNanos(v as AvroLong)),
  'io.debezium.time.ZonedTimestamp': (v) => zonedToUtcText(v as string) ?? v,
  'io.debezium.time.Time': (v) => formatTime(v as number, 'ms'),
  'org.apache.kafka.connect.data.Time': (v) => formatTime(v as number, 'ms'),
  'io.debezium.time.MicroTime': (v) => formatTime(Number(v), 'us'),
  'io.debezium.time.NanoTime': (v) => formatTime(Number(cutNanos(v as AvroLong)), 'us'),
  'io.debezium.data.Bits': (v) => Buffer.from(v as Buffer).reverse(),
};

export class ConnectType extends SinkLogicalType {
  /** `connect.name`: the Connect schema's semantic name, e.g. `io.debezium.time.MicroTimestamp`. */
  readonly connectName: string | undefined;
  /** `connect.type`: Connect's integer width (`int8`, `int16`) where Avro has only int. */
  readonly connectType: string | undefined;
  /** `connect.parameters`, e.g. Debezium's `__debezium.source.column.type` / `.length` / `.scale`. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly #render: Render | undefined;

  constructor(schema: Record<string, unknown>, opts?: unknown) {
    super(schema, opts, [...ANNOTATED, 'abstract:long']);
    const name = schema['connect.name'];
    const type = schema['connect.type'];
    const parameters = schema['connect.parameters'];
    this.connectName = typeof name === 'string' ? name : undefined;
    this.connectType = typeof type === 'string' ? type : undefined;
    const kept: Record<string, string> = {};
    if (typeof parameters === 'object' && parameters !== null) {
      for (const [k, v] of Object.entries(parameters)) if (typeof v === 'string') kept[k] = v;
    }
    this.parameters = Object.freeze(kept);
    this.#render = this.connectName === undefined ? undefined : RENDERERS[this.connectName];
  }

  /** A Debezium source-column parameter (`type`, `length`, `scale`), when the producer propagated it. */
  sourceColumn(what: 'type' | 'length' | 'scale'): string | undefined {
    return this.parameters[`__debezium.source.column.${what}`];
  }

  protected override _fromValue(value: unknown): unknown {
    return this.#render === undefined ? value : this.#render(value);
  }

  protected override _toValue(value: unknown): unknown {
    // Encoding (tests, tools) takes the underlying form; the text forms are for reading only.
    return value;
  }

  protected override _export(schema: Schema): void {
    const s = schema as unknown as Record<string, unknown>;
    if (this.connectName !== undefined) s['connect.name'] = this.connectName;
    if (this.connectType !== undefined) s['connect.type'] = this.connectType;
    if (Object.keys(this.parameters).length > 0) s['connect.parameters'] = this.parameters;
  }
}
