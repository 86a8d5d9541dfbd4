/**
 * The table model of a topic: from an Avro record schema, the columns (name, MySQL type, nullability;
 * the types from column-types.ts) and a fast `toRow` converting each decoded record to bound parameter
 * values, in column order, with the provenance coordinates appended when asked.
 */
import { createHash } from 'node:crypto';
import avro from 'avsc';
import type { Type } from 'avsc';
import { SinkError } from '../core/errors.ts';
import { quoteIdentifier } from './identifiers.ts';
import type { ColumnSpec } from './compiled-query.ts';
import { parseAvroSchema } from '../avro/avro-schema.ts';
import type { Converter } from './column-converters.ts';
import { ColumnTypeMapper } from './column-types.ts';
import { formatTimestampMillis } from '../avro/temporal.ts';
import { toAvroLong } from '../avro/long-type.ts';

export interface ColumnModelOptions {
  /** Column type for Avro strings: VARCHAR(n), CHAR(n), TINYTEXT, TEXT, MEDIUMTEXT or LONGTEXT. Default VARCHAR(255). */
  readonly stringType?: string;
  /** Column types by field name, replacing the derived ones (`sink.column.type.<field>`, widened columns). */
  readonly columnTypes?: Readonly<Record<string, string>>;
  /** Only these fields become columns (schema order is kept). Unknown names are ignored. */
  readonly include?: readonly string[];
  /** These fields never become columns. */
  readonly exclude?: readonly string[];
  /** Append `_kafka_partition`, `_kafka_offset`, `_kafka_timestamp` (values from toRow's coords). */
  readonly provenance?: boolean;
}

export interface ModelColumn extends ColumnSpec {
  /** Avro field the column holds; undefined for provenance columns. */
  readonly field?: string;
  /** The field's Avro default in the column's value form, when it has one that the column can hold. */
  readonly defaultValue?: { readonly value: unknown };
}

/** Where a record came from, for the provenance columns (a pipeline's KafkaRecord is one as it is). */
export interface KafkaCoordinates {
  readonly partition: number;
  readonly offset: number | bigint | string;
  /** Kafka timestamp in epoch ms; null / undefined / negative (no timestamp) → NULL. */
  readonly timestamp?: number | null;
}

export interface ColumnModel {
  readonly columns: readonly ModelColumn[];
  /** The columns' names, in order: one shared array per model. */
  readonly columnNames: readonly string[];
  /** schemaFingerprint of the record schema the model was built from. */
  readonly fingerprint: string;
  /** Parameter values in column order. Throws SinkError VALUE_REJECTED naming the field. */
  toRow(value: unknown, coords?: KafkaCoordinates): unknown[];
}

export const PROVENANCE_COLUMNS: readonly ModelColumn[] = Object.freeze([
  { name: '_kafka_partition', sqlType: 'INT', nullable: false },
  { name: '_kafka_offset', sqlType: 'BIGINT', nullable: false },
  { name: '_kafka_timestamp', sqlType: 'DATETIME(3)', nullable: true },
]);

function toType(schema: Type | object | string): Type {
  return avro.Type.isType(schema) ? (schema as Type) : parseAvroSchema(schema as object | string);
}

/**
 * Stable key of a writer schema, including logical types and their parameters (avsc's own fingerprint
 * uses the Parsing Canonical Form, which drops them: decimal(10,2) and bytes would collide).
 */
export function schemaFingerprint(schema: Type | object | string): string {
  const json = JSON.stringify(toType(schema).schema({ exportAttrs: true }));
  return createHash('sha256').update(json).digest('hex');
}

function checkColumnName(name: string, seen: Map<string, string>): void {
  // Throws IDENTIFIER_INVALID (too long, …) with the name in the message.
  quoteIdentifier(name);
  const key = name.toLowerCase();
  const other = seen.get(key);
  if (other !== undefined) {
    throw new SinkError(
      'IDENTIFIER_INVALID',
      `column ${JSON.stringify(name)} collides with ${JSON.stringify(other)}: MySQL/MariaDB column names are case-insensitive`,
    );
  }
  seen.set(key, name);
}

function convertedDefault(field: avro.types.Field, convert: Converter): { value: unknown } | undefined {
  const raw = field.defaultValue();
  if (raw === undefined) return undefined;
  try {
    return { value: convert(raw) };
  } catch {
    return undefined;
  }
}

/**
 * Writes the provenance columns at `at`. Records of one producer batch share their timestamp, so the
 * last text is kept: one string per batch rather than one per row.
 */
function provenanceWriter(): (row: unknown[], at: number, coords: KafkaCoordinates | undefined) => void {
  let lastMillis = Number.NaN;
  let lastText: string | null = null;
  return (row, at, coords) => {
    if (coords === undefined) throw new TypeError('toRow needs the record coordinates when provenance columns are on');
    row[at] = coords.partition;
    row[at + 1] = typeof coords.offset === 'string' ? toAvroLong(coords.offset) : coords.offset;
    const ts = coords.timestamp;
    if (typeof ts !== 'number' || !(ts >= 0) || !Number.isFinite(ts)) {
      row[at + 2] = null;
      return;
    }
    const millis = Math.trunc(ts);
    if (millis !== lastMillis) {
      const text = formatTimestampMillis(millis);
      // A broker timestamp past year 9999 is not the record's fault: store NULL rather than dead-letter it.
      lastText = text.length === 23 ? text : null;
      lastMillis = millis;
    }
    row[at + 2] = lastText;
  };
}

export function buildColumnModel(schema: Type | object | string, options: ColumnModelOptions = {}): ColumnModel {
  const type = toType(schema);
  if (type.typeName !== 'record' && type.typeName !== 'error') {
    throw new SinkError('SCHEMA_UNSUPPORTED', `a topic's value schema must be an Avro record, got ${type.typeName}`);
  }
  const mapper = new ColumnTypeMapper(options.stringType ?? 'VARCHAR(255)', options.columnTypes);
  const include = options.include === undefined ? undefined : new Set(options.include);
  const exclude = new Set(options.exclude ?? []);
  const columns: ModelColumn[] = [];
  const names: string[] = [];
  const converters: Converter[] = [];
  const seen = new Map<string, string>();
  for (const field of (type as avro.types.RecordType).fields) {
    if ((include !== undefined && !include.has(field.name)) || exclude.has(field.name)) continue;
    checkColumnName(field.name, seen);
    const mapping = mapper.column(field.name, field.type);
    const defaultValue = convertedDefault(field, mapping.convert);
    columns.push(
      Object.freeze({
        name: field.name,
        sqlType: mapping.sqlType,
        nullable: mapping.nullable,
        field: field.name,
        ...(defaultValue === undefined ? {} : { defaultValue }),
      }),
    );
    names.push(field.name);
    converters.push(mapping.convert);
  }
  const provenance = options.provenance === true;
  if (provenance) {
    for (const column of PROVENANCE_COLUMNS) {
      checkColumnName(column.name, seen);
      columns.push(column);
    }
  }
  if (columns.length === 0) {
    throw new SinkError('SCHEMA_UNSUPPORTED', 'no column left: include/exclude removed every field of the record');
  }

  const fieldCount = names.length;
  const width = columns.length;
  const writeProvenance = provenance ? provenanceWriter() : undefined;
  const toRow = (value: unknown, coords?: KafkaCoordinates): unknown[] => {
    const record = value as Record<string, unknown>;
    const row = new Array<unknown>(width);
    for (let i = 0; i < fieldCount; i++) row[i] = converters[i]!(record[names[i]!]);
    writeProvenance?.(row, fieldCount, coords);
    return row;
  };
  return Object.freeze({
    columns: Object.freeze(columns),
    columnNames: Object.freeze(columns.map((column) => column.name)),
    fingerprint: schemaFingerprint(type),
    toRow,
  });
}
