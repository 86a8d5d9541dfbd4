/**
 * What a schema change means for an existing column: nothing to do, a widening the table can take
 * without losing a value (Avro's promotions int→long, int/long/float→double, and wider integers), or a
 * change no table change can follow (a string field becoming an int): then the partition stops rather
 * than write values into a column of another kind.
 */
import { stringCapacity } from './column-types.ts';

/** Kinds of MySQL column types (information_schema DATA_TYPE, lower case) that hold the same kind of value. */
const FAMILY: Readonly<Record<string, string>> = {
  tinyint: 'integer',
  smallint: 'integer',
  mediumint: 'integer',
  int: 'integer',
  integer: 'integer',
  bigint: 'integer',
  year: 'integer',
  float: 'real',
  double: 'real',
  decimal: 'real',
  char: 'text',
  varchar: 'text',
  tinytext: 'text',
  text: 'text',
  mediumtext: 'text',
  longtext: 'text',
  json: 'text', // MariaDB reports a JSON column as longtext
  enum: 'text',
  set: 'text',
  binary: 'binary',
  varbinary: 'binary',
  tinyblob: 'binary',
  blob: 'binary',
  mediumblob: 'binary',
  longblob: 'binary',
  bit: 'binary',
  date: 'temporal',
  datetime: 'temporal',
  timestamp: 'temporal',
  time: 'temporal',
};

const INTEGER_RANK: Readonly<Record<string, number>> = { tinyint: 1, smallint: 2, mediumint: 3, int: 4, bigint: 5 };

export type ColumnChange = 'none' | 'widen' | 'incompatible';

/** `DECIMAL(10,2)` → `decimal`, `BOOLEAN` → `tinyint` (what DATA_TYPE says for it). */
export function dataTypeOf(sqlType: string): string {
  const base = sqlType.toLowerCase().replace(/\(.*$/, '');
  return base === 'boolean' ? 'tinyint' : base;
}

/** How a column of DATA_TYPE `existing` must change to take the values of a column of type `wanted`. */
export function columnChange(existing: string, wanted: string): ColumnChange {
  const want = dataTypeOf(wanted);
  if (existing === want) return 'none';
  const from = FAMILY[existing];
  const to = FAMILY[want];
  // A type the sink does not know (the user's own, e.g. geometry) is left to the user.
  if (from === undefined || to === undefined) return 'none';
  if (from === 'integer' && to === 'integer') {
    const a = INTEGER_RANK[existing];
    const b = INTEGER_RANK[want];
    return a !== undefined && b !== undefined && b > a ? 'widen' : 'none';
  }
  if (from === 'integer' && (want === 'double' || want === 'decimal')) return 'widen';
  if (existing === 'float' && want === 'double') return 'widen';
  if (from === 'real' && to === 'integer') return 'none';
  return from === to ? 'none' : 'incompatible';
}

/**
 * Most characters and most bytes a string column type holds (utf8mb4: up to 4 bytes a character, and a
 * byte-limited type holds as many characters as bytes); undefined for other types. Both count: TINYTEXT
 * holds fewer bytes than VARCHAR(100) but more characters.
 */
function stringLimits(sqlType: string): { readonly chars: number; readonly bytes: number } | undefined {
  const capacity = stringCapacity(sqlType);
  if (capacity === undefined) return undefined;
  return 'chars' in capacity
    ? { chars: capacity.chars, bytes: 4 * capacity.chars }
    : { chars: capacity.bytes, bytes: capacity.bytes };
}

/**
 * A string column the schema now wants longer (a source VARCHAR(40) grown to VARCHAR(80), an enum with a
 * longer value): the wanted type when it holds more than the existing one (both canonical, e.g.
 * `VARCHAR(40)`), undefined otherwise. A column widened further already (by a long value) stays.
 */
export function longerStringType(existing: string, wanted: string): string | undefined {
  const have = stringLimits(existing);
  const want = stringLimits(wanted);
  if (have === undefined || want === undefined) return undefined;
  const holdsAll = want.chars >= have.chars && want.bytes >= have.bytes;
  return holdsAll && (want.chars > have.chars || want.bytes > have.bytes) ? wanted : undefined;
}
