/**
 * The table model of a topic: from an Avro record schema, the columns (name, MySQL type, nullability)
 * and a fast `toRow` converting each decoded record to bound parameter values, in column order.
 *
 * Type map: the seed's (boolean→BOOLEAN, int→INT, long→BIGINT, float→FLOAT, double→DOUBLE,
 * string→VARCHAR(255), option `stringType`), extended to every Avro type: bytes→LONGBLOB,
 * fixed(n)→VARBINARY(n), enum→VARCHAR(255), decimal(p,s)→DECIMAL(p,s), date→DATE,
 * time-millis/micros→TIME(3/6), timestamp-millis/micros→DATETIME(3/6), uuid→CHAR(36);
 * ["null",T] / [T,"null"] → T's column, nullable; other unions, records, arrays, maps → JSON.
 *
 * Value forms bound per column: booleans; numbers; longs as number, or bigint beyond 2^53; Buffers;
 * exact text for decimals; UTC text 'YYYY-MM-DD HH:MM:SS.fff[fff]' for timestamps (session time zone
 * never applies); JSON text for JSON columns.
 */
import { createHash } from 'node:crypto';
import avro from 'avsc';
import type { Type } from 'avsc';
import { SinkError } from '../core/errors.ts';
import { normalizeSqlType } from './ddl.ts';
import { quoteIdentifier } from './identifiers.ts';
import type { ColumnSpec } from './compiled-query.ts';
import { parseAvroSchema } from '../avro/avro-schema.ts';
import * as conv from './column-converters.ts';
import type { Converter } from './column-converters.ts';
import type { DecimalType } from '../avro/logical-types.ts';
import { formatTimestampMillis } from '../avro/temporal.ts';
import { toAvroLong } from '../avro/long-type.ts';

export interface ColumnModelOptions {
  /** Column type for Avro strings: VARCHAR(n), CHAR(n), TEXT, MEDIUMTEXT or LONGTEXT. Default VARCHAR(255). */
  readonly stringType?: string;
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

/** Where a record came from, for the provenance columns. */
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

const TEXT_BYTE_LIMITS: ReadonlyMap<string, number> = new Map([
  ['TEXT', 65_535],
  ['MEDIUMTEXT', 16_777_215],
  ['LONGTEXT', 4_294_967_295],
]);

interface Mapping {
  readonly sqlType: string;
  readonly nullable: boolean;
  readonly convert: Converter;
}

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

function stringConverter(stringType: string): (field: string) => Converter {
  const chars = /^(?:VAR)?CHAR\((\d+)\)$/.exec(stringType);
  if (chars) {
    const limit = Number(chars[1]);
    return (field) => conv.maxChars(field, limit, stringType);
  }
  const bytes = TEXT_BYTE_LIMITS.get(stringType);
  if (bytes !== undefined) return (field) => conv.maxBytes(field, bytes, stringType);
  throw new SinkError(
    'CONFIG_INVALID',
    `string column type ${JSON.stringify(stringType)} is not one of VARCHAR(n), CHAR(n), TEXT, MEDIUMTEXT, LONGTEXT`,
  );
}

function normalizedStringType(raw: string): string {
  try {
    return normalizeSqlType(raw);
  } catch (error) {
    throw new SinkError('CONFIG_INVALID', `string column type ${JSON.stringify(raw)} is not supported`, {
      cause: error,
    });
  }
}

class Mapper {
  readonly #stringType: string;
  readonly #stringConverter: (field: string) => Converter;

  constructor(stringType: string) {
    this.#stringType = normalizedStringType(stringType);
    this.#stringConverter = stringConverter(this.#stringType);
  }

  map(field: string, type: Type): Mapping {
    const name = type.typeName;
    if (name.startsWith('union:')) return this.#union(field, type as avro.types.UnwrappedUnionType);
    if (name.startsWith('logical:')) return this.#logical(field, type as avro.types.LogicalType);
    return this.#plain(field, type, name);
  }

  #union(field: string, type: avro.types.UnwrappedUnionType): Mapping {
    const branches = type.types;
    const nonNull = branches.filter((t) => t.typeName !== 'null');
    if (branches.length === 2 && nonNull.length === 1 && type.typeName === 'union:unwrapped') {
      const inner = this.map(field, nonNull[0]!);
      return { sqlType: inner.sqlType, nullable: true, convert: conv.nullable(inner.convert) };
    }
    const hasNull = nonNull.length < branches.length;
    // A null branch is SQL NULL, not the JSON literal null.
    return {
      sqlType: 'JSON',
      nullable: hasNull,
      convert: hasNull ? conv.nullable(conv.jsonText(field)) : conv.jsonText(field),
    };
  }

  #logical(field: string, type: avro.types.LogicalType): Mapping {
    switch (type.typeName) {
      case 'logical:decimal': {
        const { precision, scale } = type as unknown as DecimalType;
        if (precision <= 65 && scale <= 30) {
          const sqlType = `DECIMAL(${precision},${scale})`;
          return { sqlType, nullable: false, convert: conv.decimalText(field, precision, scale, sqlType) };
        }
        // Beyond MySQL's DECIMAL: keep the exact text ("-0." plus p digits at most).
        const sqlType = precision + 3 <= 16383 ? `VARCHAR(${precision + 3})` : 'LONGTEXT';
        return { sqlType, nullable: false, convert: conv.decimalText(field, precision, scale, sqlType) };
      }
      case 'logical:date':
        return { sqlType: 'DATE', nullable: false, convert: conv.dateText(field, 10, 'DATE') };
      case 'logical:time-millis':
        return { sqlType: 'TIME(3)', nullable: false, convert: conv.timeText(field, 12, 'TIME(3)') };
      case 'logical:time-micros':
        return { sqlType: 'TIME(6)', nullable: false, convert: conv.timeText(field, 15, 'TIME(6)') };
      case 'logical:timestamp-millis':
        return { sqlType: 'DATETIME(3)', nullable: false, convert: conv.dateText(field, 23, 'DATETIME(3)') };
      case 'logical:timestamp-micros':
        return { sqlType: 'DATETIME(6)', nullable: false, convert: conv.dateText(field, 26, 'DATETIME(6)') };
      case 'logical:uuid':
        return { sqlType: 'CHAR(36)', nullable: false, convert: conv.maxChars(field, 36, 'CHAR(36)') };
      default:
        // Unknown logical types are not instantiated by parseAvroSchema; a foreign Type may carry one.
        return this.map(field, type.underlyingType);
    }
  }

  #plain(field: string, type: Type, name: string): Mapping {
    switch (name) {
      case 'boolean':
        return { sqlType: 'BOOLEAN', nullable: false, convert: conv.identity };
      case 'int':
        return { sqlType: 'INT', nullable: false, convert: conv.identity };
      case 'long':
      case 'abstract:long':
        return { sqlType: 'BIGINT', nullable: false, convert: conv.identity };
      case 'float':
        return { sqlType: 'FLOAT', nullable: false, convert: conv.finiteNumber(field) };
      case 'double':
        return { sqlType: 'DOUBLE', nullable: false, convert: conv.finiteNumber(field) };
      case 'string':
        return { sqlType: this.#stringType, nullable: false, convert: this.#stringConverter(field) };
      case 'bytes':
        return { sqlType: 'LONGBLOB', nullable: false, convert: conv.identity };
      case 'fixed': {
        const size = (type as avro.types.FixedType).size;
        return { sqlType: size <= 65532 ? `VARBINARY(${size})` : 'LONGBLOB', nullable: false, convert: conv.identity };
      }
      case 'enum': {
        // Symbols are known up front, so no per-record length check is needed.
        const longest = Math.max(0, ...(type as avro.types.EnumType).symbols.map((s) => s.length));
        return { sqlType: `VARCHAR(${Math.max(255, longest)})`, nullable: false, convert: conv.identity };
      }
      case 'null':
        return { sqlType: 'JSON', nullable: true, convert: () => null };
      default:
        // record, error, array, map
        return { sqlType: 'JSON', nullable: false, convert: conv.jsonText(field) };
    }
  }
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

function provenanceValues(coords: KafkaCoordinates | undefined): [number, number | bigint, string | null] {
  if (coords === undefined) throw new TypeError('toRow needs the record coordinates when provenance columns are on');
  const offset = typeof coords.offset === 'string' ? toAvroLong(coords.offset) : coords.offset;
  const ts = coords.timestamp;
  let timestamp: string | null = null;
  if (typeof ts === 'number' && ts >= 0 && Number.isFinite(ts)) {
    const text = formatTimestampMillis(Math.trunc(ts));
    // A broker timestamp past year 9999 is not the record's fault: store NULL rather than dead-letter it.
    timestamp = text.length === 23 ? text : null;
  }
  return [coords.partition, offset, timestamp];
}

export function buildColumnModel(schema: Type | object | string, options: ColumnModelOptions = {}): ColumnModel {
  const type = toType(schema);
  if (type.typeName !== 'record' && type.typeName !== 'error') {
    throw new SinkError('SCHEMA_UNSUPPORTED', `a topic's value schema must be an Avro record, got ${type.typeName}`);
  }
  const mapper = new Mapper(options.stringType ?? 'VARCHAR(255)');
  const include = options.include === undefined ? undefined : new Set(options.include);
  const exclude = new Set(options.exclude ?? []);
  const columns: ModelColumn[] = [];
  const names: string[] = [];
  const converters: Converter[] = [];
  const seen = new Map<string, string>();
  for (const field of (type as avro.types.RecordType).fields) {
    if ((include !== undefined && !include.has(field.name)) || exclude.has(field.name)) continue;
    checkColumnName(field.name, seen);
    const mapping = mapper.map(field.name, field.type);
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
  const toRow = (value: unknown, coords?: KafkaCoordinates): unknown[] => {
    const record = value as Record<string, unknown>;
    const row = new Array<unknown>(width);
    for (let i = 0; i < fieldCount; i++) row[i] = converters[i]!(record[names[i]!]);
    if (provenance) {
      const [partition, offset, timestamp] = provenanceValues(coords);
      row[fieldCount] = partition;
      row[fieldCount + 1] = offset;
      row[fieldCount + 2] = timestamp;
    }
    return row;
  };
  return Object.freeze({
    columns: Object.freeze(columns),
    columnNames: Object.freeze(columns.map((column) => column.name)),
    fingerprint: schemaFingerprint(type),
    toRow,
  });
}
