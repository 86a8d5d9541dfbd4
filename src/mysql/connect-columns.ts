/**
 * Columns for Avro types that carry Kafka Connect annotations (src/avro/connect-types.ts): the semantic
 * types of Debezium and Connect become the SQL type they stand for, and the source column's own type,
 * length and scale (Debezium's `column.propagate.source.type`) refine the rest, so a VARCHAR(64) source
 * column is a VARCHAR(64) here and a TEXT one a TEXT, instead of every string being `sink.string.type`.
 *
 * A hint is only followed when it fits the Avro type that carries the value; otherwise (or with no hint)
 * the type maps as if unannotated.
 */
import type { ConnectType } from '../avro/connect-types.ts';
import * as conv from './column-converters.ts';
import type { Converter } from './column-converters.ts';

export interface ConnectColumn {
  readonly sqlType: string;
  /** undefined: the underlying type's converter fits (plain numbers, bytes). */
  readonly convert?: Converter;
}

/** How a string-typed column checks its values, given its SQL type (column-types.ts). */
export type StringCheck = (field: string, sqlType: string) => Converter;

const FSP_DEFAULTS: Readonly<Record<string, number>> = {
  'io.debezium.time.Timestamp': 3,
  'org.apache.kafka.connect.data.Timestamp': 3,
  'io.debezium.time.MicroTimestamp': 6,
  'io.debezium.time.NanoTimestamp': 6,
  'io.debezium.time.ZonedTimestamp': 6,
  'io.debezium.time.Time': 3,
  'org.apache.kafka.connect.data.Time': 3,
  'io.debezium.time.MicroTime': 6,
  'io.debezium.time.NanoTime': 6,
};

/** Text length of the decoded timestamp: 3 digits for milliseconds, 6 for the rest (connect-types.ts). */
function timestampTextLength(name: string): number {
  return FSP_DEFAULTS[name] === 3 ? 23 : 26;
}

/** The source column's fractional-seconds precision, when it names one (DATETIME(n), TIME(n), TIMESTAMP(n)). */
function sourceFsp(type: ConnectType, kinds: readonly string[]): number | undefined {
  const source = type.sourceColumn('type')?.toUpperCase();
  const length = Number(type.sourceColumn('length'));
  if (source === undefined || !kinds.includes(source) || !Number.isInteger(length)) return undefined;
  return length >= 0 && length <= 6 ? length : undefined;
}

function withFsp(base: string, fsp: number): string {
  return fsp === 0 ? base : `${base}(${fsp})`;
}

function semanticColumn(field: string, type: ConnectType, strings: StringCheck): ConnectColumn | undefined {
  const name = type.connectName;
  if (name === undefined) return undefined;
  switch (name) {
    case 'io.debezium.time.Date':
    case 'org.apache.kafka.connect.data.Date':
      return { sqlType: 'DATE', convert: conv.dateText(field, 10, 'DATE') };
    case 'io.debezium.time.Timestamp':
    case 'org.apache.kafka.connect.data.Timestamp':
    case 'io.debezium.time.MicroTimestamp':
    case 'io.debezium.time.NanoTimestamp':
    case 'io.debezium.time.ZonedTimestamp': {
      const sqlType = withFsp('DATETIME', sourceFsp(type, ['DATETIME', 'TIMESTAMP']) ?? FSP_DEFAULTS[name]!);
      return { sqlType, convert: conv.dateText(field, timestampTextLength(name), sqlType) };
    }
    case 'io.debezium.time.Time':
    case 'org.apache.kafka.connect.data.Time':
    case 'io.debezium.time.MicroTime':
    case 'io.debezium.time.NanoTime': {
      const sqlType = withFsp('TIME', sourceFsp(type, ['TIME']) ?? FSP_DEFAULTS[name]!);
      return { sqlType, convert: conv.durationText(field, sqlType) };
    }
    case 'io.debezium.time.Year':
      return { sqlType: 'YEAR' };
    case 'io.debezium.data.Json':
      // MariaDB's JSON checks the text itself (json_valid): invalid JSON is rejected by the database.
      return { sqlType: 'JSON', convert: conv.identity };
    case 'io.debezium.data.Uuid':
      return { sqlType: 'CHAR(36)', convert: strings(field, 'CHAR(36)') };
    case 'io.debezium.data.Enum':
    case 'io.debezium.data.EnumSet': {
      // The allowed values are known up front: the column holds the longest (all of them, for a SET).
      const allowed = (type.parameters['allowed'] ?? '').split(',');
      const longest = Math.max(1, ...allowed.map((value) => value.length));
      const total = Math.max(1, allowed.join(',').length);
      const chars = Math.min(16383, name === 'io.debezium.data.Enum' ? longest : total);
      const sqlType = `VARCHAR(${chars})`;
      return { sqlType, convert: strings(field, sqlType) };
    }
    case 'io.debezium.data.Bits': {
      const bits = Number(type.parameters['length']);
      return { sqlType: Number.isInteger(bits) && bits >= 1 && bits <= 64 ? `BIT(${bits})` : 'LONGBLOB' };
    }
    default:
      return undefined;
  }
}

const INTEGER_TYPES: Readonly<Record<string, readonly [signed: string, unsigned: string]>> = {
  TINYINT: ['TINYINT', 'SMALLINT'],
  SMALLINT: ['SMALLINT', 'INT'],
  MEDIUMINT: ['MEDIUMINT', 'INT'],
  INT: ['INT', 'BIGINT'],
  INTEGER: ['INT', 'BIGINT'],
  BIGINT: ['BIGINT', 'BIGINT'],
};

const TEXT_TYPES: Readonly<Record<string, string>> = {
  TINYTEXT: 'VARCHAR(255)',
  TEXT: 'TEXT',
  MEDIUMTEXT: 'MEDIUMTEXT',
  LONGTEXT: 'LONGTEXT',
  JSON: 'JSON',
};

const BLOB_TYPES: Readonly<Record<string, string>> = {
  TINYBLOB: 'BLOB',
  BLOB: 'BLOB',
  MEDIUMBLOB: 'MEDIUMBLOB',
  LONGBLOB: 'LONGBLOB',
};

/** The source column's type (`__debezium.source.column.type` / `.length`) as a column type, if it fits. */
export function sourceColumnType(type: ConnectType): string | undefined {
  const raw = type.sourceColumn('type');
  if (raw === undefined) return undefined;
  const words = raw.trim().toUpperCase().split(/\s+/);
  const base = words[0]!;
  const unsigned = words.includes('UNSIGNED');
  const length = Number(type.sourceColumn('length'));
  const hasLength = Number.isInteger(length) && length > 0;
  switch (type.underlyingType.typeName) {
    case 'string':
      if (base === 'CHAR' && hasLength && length <= 255) return `CHAR(${length})`;
      if ((base === 'VARCHAR' || base === 'CHAR') && hasLength) {
        // Past VARCHAR's utf8mb4 limit the text types take over (MEDIUMTEXT holds 16M bytes).
        return length <= 16383 ? `VARCHAR(${length})` : 'MEDIUMTEXT';
      }
      return TEXT_TYPES[base];
    case 'int':
    case 'abstract:long': {
      if ((base === 'TINYINT' && length === 1 && !unsigned) || base === 'BOOLEAN' || base === 'BOOL') return 'BOOLEAN';
      const integer = INTEGER_TYPES[base];
      return integer === undefined ? undefined : integer[unsigned ? 1 : 0];
    }
    case 'boolean':
      return base === 'BOOLEAN' || base === 'BOOL' || base === 'BIT' || base === 'TINYINT' ? 'BOOLEAN' : undefined;
    case 'bytes':
      if ((base === 'BINARY' || base === 'VARBINARY') && hasLength && length <= 65532)
        return base === 'BINARY' && length <= 255 ? `BINARY(${length})` : `VARBINARY(${length})`;
      return BLOB_TYPES[base];
    default:
      return undefined;
  }
}

/**
 * The column of an annotated type: its semantic type first, then the source column's type, then Connect's
 * integer width (int8 → TINYINT, int16 → SMALLINT); undefined when none applies.
 */
export function connectColumn(field: string, type: ConnectType, strings: StringCheck): ConnectColumn | undefined {
  const semantic = semanticColumn(field, type, strings);
  if (semantic !== undefined) return semantic;
  const source = sourceColumnType(type);
  if (source !== undefined) {
    const isString = type.underlyingType.typeName === 'string';
    return { sqlType: source, ...(isString && source !== 'JSON' ? { convert: strings(field, source) } : {}) };
  }
  if (type.connectType === 'int8') return { sqlType: 'TINYINT' };
  if (type.connectType === 'int16') return { sqlType: 'SMALLINT' };
  return undefined;
}
