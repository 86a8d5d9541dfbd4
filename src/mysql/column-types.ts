/**
 * The MySQL column of an Avro type: its SQL type, its nullability, and the converter from the decoded
 * value to the bound parameter (which rejects what the column cannot hold, naming the field).
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
import type avro from 'avsc';
import type { Type } from 'avsc';
import { SinkError } from '../core/errors.ts';
import type { DecimalType } from '../avro/logical-types.ts';
import * as conv from './column-converters.ts';
import type { Converter } from './column-converters.ts';
import { normalizeSqlType } from './ddl.ts';
import { CONNECT_LOGICAL_TYPE, type ConnectType } from '../avro/connect-types.ts';
import { connectColumn } from './connect-columns.ts';

const TEXT_BYTE_LIMITS: ReadonlyMap<string, number> = new Map([
  ['TINYTEXT', 255],
  ['TEXT', 65_535],
  ['MEDIUMTEXT', 16_777_215],
  ['LONGTEXT', 4_294_967_295],
]);

export interface Mapping {
  readonly sqlType: string;
  readonly nullable: boolean;
  readonly convert: Converter;
}

/** Logical types whose text always fits one column: its type, the longest text, and the check of the text. */
const FIXED_TEXT_COLUMNS: Readonly<Record<string, { sqlType: string; length: number; check: typeof conv.dateText }>> = {
  'logical:date': { sqlType: 'DATE', length: 10, check: conv.dateText },
  'logical:time-millis': { sqlType: 'TIME(3)', length: 12, check: conv.timeText },
  'logical:time-micros': { sqlType: 'TIME(6)', length: 15, check: conv.timeText },
  'logical:timestamp-millis': { sqlType: 'DATETIME(3)', length: 23, check: conv.dateText },
  'logical:timestamp-micros': { sqlType: 'DATETIME(6)', length: 26, check: conv.dateText },
  'logical:uuid': { sqlType: 'CHAR(36)', length: 36, check: conv.maxChars },
};

const STRING_TYPE_RE = /^(?:(?:VAR)?CHAR\(\d+\)|(?:TINY|MEDIUM|LONG)?TEXT)$/;

/** VARCHAR(n), CHAR(n), TINYTEXT, TEXT, MEDIUMTEXT, LONGTEXT: the types whose values are length-checked strings. */
export function isStringColumnType(sqlType: string): boolean {
  return STRING_TYPE_RE.test(sqlType);
}

/**
 * Widening targets, smallest first. Not TINYTEXT: its 255 bytes hold fewer characters than a VARCHAR(255)
 * or a VARCHAR(100) of utf8mb4, so "widening" such a column to it could lose the values already there.
 */
const WIDER_STRING_TYPES = ['TEXT', 'MEDIUMTEXT', 'LONGTEXT'] as const;

/** Characters (VARCHAR/CHAR) or bytes (the TEXT types) a string column holds. */
export function stringCapacity(sqlType: string): { readonly chars: number } | { readonly bytes: number } | undefined {
  const chars = /^(?:VAR)?CHAR\((\d+)\)$/.exec(sqlType);
  if (chars) return { chars: Number(chars[1]) };
  const bytes = TEXT_BYTE_LIMITS.get(sqlType);
  return bytes === undefined ? undefined : { bytes };
}

/**
 * The string type a too-long value needs, for widening its column: the smallest of TEXT, MEDIUMTEXT,
 * LONGTEXT that holds `bytes` (not a longer VARCHAR: several of those would pass the 65535-byte row limit).
 */
export function widerStringType(bytes: number): string {
  for (const type of WIDER_STRING_TYPES) if (bytes <= (TEXT_BYTE_LIMITS.get(type) as number)) return type;
  return 'LONGTEXT';
}

/** Whether a string column of this type holds a value of `chars` characters and `bytes` bytes of UTF-8. */
export function stringTypeHolds(sqlType: string, chars: number, bytes: number): boolean {
  const capacity = stringCapacity(sqlType);
  if (capacity === undefined) return false;
  return 'chars' in capacity ? chars <= capacity.chars : bytes <= capacity.bytes;
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
    `string column type ${JSON.stringify(stringType)} is not one of VARCHAR(n), CHAR(n), TINYTEXT, TEXT, MEDIUMTEXT, LONGTEXT`,
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

/**
 * Maps each field's Avro type to its column; built once per model (the string type is checked here).
 * `columnTypes` (by field name) replace the derived type of a top-level field: `sink.column.type.<field>`
 * and string columns the table already has wider (widened by sink.auto.evolve). A string column keeps a
 * length check for its new type; other values are bound as before and the database judges them.
 */
export class ColumnTypeMapper {
  readonly #stringType: string;
  readonly #stringConverter: (field: string) => Converter;
  readonly #columnTypes: Readonly<Record<string, string>>;

  constructor(stringType: string, columnTypes: Readonly<Record<string, string>> = {}) {
    this.#stringType = normalizedStringType(stringType);
    this.#stringConverter = stringConverter(this.#stringType);
    this.#columnTypes = columnTypes;
  }

  /** The column of a top-level field: `map` with the field's column type override applied. */
  column(field: string, type: Type): Mapping {
    const mapping = this.map(field, type);
    const wanted = Object.hasOwn(this.#columnTypes, field) ? this.#columnTypes[field] : undefined;
    if (wanted === undefined) return mapping;
    const sqlType = normalizeSqlType(wanted);
    if (!isStringColumnType(mapping.sqlType) || !isStringColumnType(sqlType)) return { ...mapping, sqlType };
    const check = stringConverter(sqlType)(field);
    return { sqlType, nullable: mapping.nullable, convert: mapping.nullable ? conv.nullable(check) : check };
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
      case 'logical:time-millis':
      case 'logical:time-micros':
      case 'logical:timestamp-millis':
      case 'logical:timestamp-micros':
      case 'logical:uuid': {
        const { sqlType, length, check } = FIXED_TEXT_COLUMNS[type.typeName]!;
        return { sqlType, nullable: false, convert: check(field, length, sqlType) };
      }
      case `logical:${CONNECT_LOGICAL_TYPE}`: {
        const plain = this.map(field, type.underlyingType);
        const strings = (f: string, sqlType: string): Converter => stringConverter(sqlType)(f);
        const column = connectColumn(field, type as unknown as ConnectType, strings);
        return column === undefined
          ? plain
          : { ...plain, sqlType: column.sqlType, convert: column.convert ?? plain.convert };
      }
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
