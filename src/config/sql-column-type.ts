/**
 * The closed allow-list of column types the sink may put in DDL, and their canonical spelling. It lives in
 * config, below the MySQL layer, because types come from the config too (`sink.string.type`,
 * `sink.column.type.<field>`) and a bad one must fail at load with a one-line error and exit 2; the DDL
 * builder (src/mysql/ddl.ts) checks every type it writes against the same list.
 */

/**
 * The TEXT, BLOB and JSON types. Without a prefix length InnoDB cannot index them (error 1170), so they
 * cannot be key columns; and MySQL before 8.0.13 takes no literal default for them (MariaDB does, but a
 * table must suit both). The DDL builder keeps both rules with this list.
 */
export const LARGE_OBJECT_TYPES: ReadonlySet<string> = new Set([
  'TINYTEXT',
  'TEXT',
  'MEDIUMTEXT',
  'LONGTEXT',
  'BLOB',
  'MEDIUMBLOB',
  'LONGBLOB',
  'JSON',
]);

const BARE_TYPES = new Set([
  'BOOLEAN',
  'TINYINT',
  'SMALLINT',
  'MEDIUMINT',
  'INT',
  'BIGINT',
  'FLOAT',
  'DOUBLE',
  ...LARGE_OBJECT_TYPES,
  'DATE',
  'YEAR',
]);

/** Bounds are the servers' own: VARCHAR(16383) is 65532 bytes of utf8mb4, VARBINARY's cap is 65532. */
const LENGTH_TYPES: ReadonlyMap<string, readonly [min: number, max: number]> = new Map([
  ['VARCHAR', [1, 16383]],
  ['CHAR', [1, 255]],
  ['VARBINARY', [1, 65532]],
  ['BINARY', [1, 255]],
  ['BIT', [1, 64]],
]);

const FRACTIONAL_SECONDS_TYPES = new Set(['TIME', 'DATETIME', 'TIMESTAMP']);

const TYPE_SHAPE = /^([A-Z]+)(?:\((\d{1,5})(?:,(\d{1,5}))?\))?$/;

/** What the allow-list admits, for fixes in messages. */
export const ALLOWED_COLUMN_TYPES =
  'BOOLEAN, TINYINT, SMALLINT, MEDIUMINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL(p,s), VARCHAR(n), CHAR(n), TINYTEXT, ' +
  'TEXT, MEDIUMTEXT, LONGTEXT, VARBINARY(n), BINARY(n), BLOB, MEDIUMBLOB, LONGBLOB, BIT(n), JSON, DATE, YEAR, ' +
  'TIME[(fsp)], DATETIME[(fsp)], TIMESTAMP[(fsp)]';

/** The canonical spelling (`decimal( 10, 2 )` → `DECIMAL(10,2)`), or `{ problem }` naming what is wrong. */
export function parseColumnType(sqlType: string): { readonly type: string } | { readonly problem: string } {
  const text = sqlType
    .trim()
    .toUpperCase()
    .replace(/\s*([(),])\s*/g, '$1');
  const match = TYPE_SHAPE.exec(text);
  if (match === null) return { problem: 'not one of the allowed MySQL types' };
  const base = match[1] as string;
  const first = match[2] === undefined ? undefined : Number(match[2]);
  const second = match[3] === undefined ? undefined : Number(match[3]);

  if (BARE_TYPES.has(base)) {
    if (first !== undefined) return { problem: `${base} takes no length or precision` };
    return { type: base };
  }
  const lengthRange = LENGTH_TYPES.get(base);
  if (lengthRange !== undefined) {
    const [min, max] = lengthRange;
    if (first === undefined || second !== undefined || first < min || first > max) {
      return { problem: `${base} needs one length between ${min} and ${max}` };
    }
    return { type: `${base}(${first})` };
  }
  if (FRACTIONAL_SECONDS_TYPES.has(base)) {
    if (first === undefined && second === undefined) return { type: base };
    if (first === undefined || second !== undefined || first > 6) {
      return { problem: `${base} takes a fractional-seconds precision between 0 and 6` };
    }
    return { type: `${base}(${first})` };
  }
  if (base === 'DECIMAL') {
    if (first === undefined || second === undefined || first < 1 || first > 65 || second > 30 || second > first) {
      return {
        problem: 'DECIMAL needs (precision,scale) with 1 <= precision <= 65, 0 <= scale <= 30, scale <= precision',
      };
    }
    return { type: `DECIMAL(${first},${second})` };
  }
  return { problem: 'not one of the allowed MySQL types' };
}
