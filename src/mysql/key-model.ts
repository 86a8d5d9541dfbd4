/**
 * Tables keyed on the record key (`sink.pk.mode=record_key`): the key columns a key schema gives, and the
 * table model that puts them first, followed by the value's columns (a value field with a key column's
 * name is left out: the key holds it) and the provenance columns.
 */
import { createHash } from 'node:crypto';
import type avro from 'avsc';
import type { Type } from 'avsc';
import { SinkError } from '../core/errors.ts';
import {
  buildColumnModel,
  type ColumnModel,
  type ColumnModelOptions,
  type KafkaCoordinates,
  type ModelColumn,
} from './column-model.ts';
import type { Converter } from './column-converters.ts';
import { ColumnTypeMapper } from './column-types.ts';
import { quoteIdentifier } from './identifiers.ts';

export interface KeyModelOptions {
  /** Key fields to use, in order (empty: every field of a record key); for a primitive key, its column. */
  readonly fields: readonly string[];
  /** Column of a primitive key when `fields` is empty. */
  readonly primitiveColumn: string;
  /** `sink.string.type`; a TEXT type cannot be a primary key, so key strings then use VARCHAR(255). */
  readonly stringType?: string;
}

export interface KeyModel {
  /** NOT NULL columns, in key order. */
  readonly columns: readonly ModelColumn[];
  readonly columnNames: readonly string[];
  readonly fingerprint: string;
  /** Key column values of a decoded key; throws KEY_REJECTED naming the field when one cannot be a key. */
  toKey(key: unknown): unknown[];
}

/** What the table manager needs of a model: its columns, a stable fingerprint and, when keyed by the model, its key. */
export interface KeyedColumnModel extends Omit<ColumnModel, 'toRow'> {
  readonly keyColumns: readonly string[];
  /** The key's values followed by the value's columns and the provenance coordinates. */
  toRow(keyValues: readonly unknown[], value: unknown, coords?: KafkaCoordinates): unknown[];
}

/** Largest key of bytes: VARBINARY(n) must fit InnoDB's 3072-byte index limit together with other key columns. */
const KEY_BYTES = 255;

function keyRejected(why: string): SinkError {
  return new SinkError('KEY_REJECTED', `record key: ${why}`);
}

function keyStringType(stringType: string | undefined): string {
  return stringType !== undefined && /^(?:VAR)?CHAR\(\d+\)$/i.test(stringType.trim()) ? stringType : 'VARCHAR(255)';
}

function keyColumn(mapper: ColumnTypeMapper, name: string, type: Type): { column: ModelColumn; convert: Converter } {
  quoteIdentifier(name); // IDENTIFIER_INVALID for a name no table can have
  const mapping = mapper.map(name, type);
  let { sqlType } = mapping;
  let convert = mapping.convert;
  if (sqlType === 'LONGBLOB') {
    sqlType = `VARBINARY(${KEY_BYTES})`;
    const inner = convert;
    convert = (value) => {
      const bytes = inner(value) as Buffer;
      if (bytes.length > KEY_BYTES)
        throw keyRejected(`field ${JSON.stringify(name)}: ${bytes.length} bytes do not fit ${sqlType}`);
      return bytes;
    };
  }
  if (/^(?:JSON|LONGTEXT|MEDIUMTEXT|TEXT|TINYTEXT)$/.test(sqlType)) {
    throw keyRejected(`field ${JSON.stringify(name)} is ${type.typeName}, which cannot be a primary key column`);
  }
  const base = convert;
  const notNull: Converter = (value) => {
    if (value === null || value === undefined)
      throw keyRejected(`field ${JSON.stringify(name)} is null; a key column needs a value`);
    return base(value);
  };
  return { column: Object.freeze({ name, sqlType, nullable: false, field: name }), convert: notNull };
}

export function buildKeyModel(type: Type, options: KeyModelOptions): KeyModel {
  const mapper = new ColumnTypeMapper(keyStringType(options.stringType));
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([type.schema({ exportAttrs: true }), options.fields, options.primitiveColumn]))
    .digest('hex');
  if (type.typeName !== 'record' && type.typeName !== 'error') {
    if (options.fields.length > 1) {
      throw keyRejected(`the key is a ${type.typeName}, one column, but sink.pk.fields names ${options.fields.length}`);
    }
    const name = options.fields[0] ?? options.primitiveColumn;
    const { column, convert } = keyColumn(mapper, name, type);
    return Object.freeze({
      columns: Object.freeze([column]),
      columnNames: Object.freeze([name]),
      fingerprint,
      toKey: (key: unknown) => [convert(key)],
    });
  }
  const fields = (type as avro.types.RecordType).fields;
  const chosen = options.fields.length === 0 ? fields.map((f) => f.name) : options.fields;
  const columns: ModelColumn[] = [];
  const converters: Converter[] = [];
  for (const name of chosen) {
    const field = fields.find((f) => f.name === name);
    if (field === undefined) {
      throw keyRejected(
        `the key schema has no field ${JSON.stringify(name)} named in sink.pk.fields (it has ${fields.map((f) => f.name).join(', ') || 'none'})`,
      );
    }
    const { column, convert } = keyColumn(mapper, name, field.type);
    columns.push(column);
    converters.push(convert);
  }
  if (columns.length === 0) throw keyRejected('the key schema is a record without fields');
  const names = Object.freeze(columns.map((c) => c.name));
  return Object.freeze({
    columns: Object.freeze(columns),
    columnNames: names,
    fingerprint,
    toKey: (key: unknown) => {
      const record = key as Record<string, unknown>;
      return names.map((name, i) => converters[i]!(record[name]));
    },
  });
}

/**
 * The table model of a key and a value schema. Value fields named like a key column (any case, as the
 * server compares names) are dropped: in change streams the value repeats the key, and the key is what
 * finds the row.
 */
export function buildKeyedModel(key: KeyModel, valueType: Type, options: ColumnModelOptions): KeyedColumnModel {
  const keyNames = new Set(key.columnNames.map((n) => n.toLowerCase()));
  const fields =
    valueType.typeName === 'record' || valueType.typeName === 'error'
      ? (valueType as avro.types.RecordType).fields
      : [];
  const repeated = fields.filter((f) => keyNames.has(f.name.toLowerCase())).map((f) => f.name);
  const value = buildValueModel(valueType, { ...options, exclude: [...(options.exclude ?? []), ...repeated] });
  const columns = Object.freeze([...key.columns, ...(value?.columns ?? [])]);
  const fingerprint = createHash('sha256')
    .update(`${key.fingerprint}\u0000${value?.fingerprint ?? ''}`)
    .digest('hex');
  const toValueRow = value?.toRow;
  return Object.freeze({
    columns,
    columnNames: Object.freeze(columns.map((c) => c.name)),
    fingerprint,
    keyColumns: key.columnNames,
    toRow: (keyValues: readonly unknown[], record: unknown, coords?: KafkaCoordinates) =>
      toValueRow === undefined ? [...keyValues] : [...keyValues, ...toValueRow(record, coords)],
  });
}

/** The value's own columns; none at all is fine here (a value that only repeats its key). */
function buildValueModel(valueType: Type, options: ColumnModelOptions): ColumnModel | undefined {
  if (valueType.typeName === 'record' || valueType.typeName === 'error') {
    const include = options.include === undefined ? undefined : new Set(options.include);
    const exclude = new Set(options.exclude ?? []);
    const kept = (valueType as avro.types.RecordType).fields.filter(
      (f) => (include === undefined || include.has(f.name)) && !exclude.has(f.name),
    );
    if (kept.length === 0 && options.provenance !== true) return undefined;
  }
  return buildColumnModel(valueType, options);
}
