/** The `sink.*` keys: batching, how records become rows (keys, modes, deletes, CDC, column types) and the bookkeeping tables. */
import * as z from 'zod';
import { key, prefixed } from './declare-keys.ts';
import { cdcColumnList, columnType, fieldList, stringColumnType, tableName, topicTemplate } from './name-types.ts';
import { flag, oneOf, oneOfOrUnset, wholeNumber } from './value-types.ts';
import { BATCHING, TABLES, ERRORS } from './key-sections.ts';

export const sink = z.object({
  tableTemplate: key('sink.table.template', topicTemplate, {
    section: TABLES,
    default: '${topic}',
    doc: 'table per topic; ${topic} is replaced by the topic name',
  }),
  batchMaxRecords: key('sink.batch.max.records', wholeNumber(1, 100_000), {
    section: BATCHING,
    default: '2000',
    doc: 'most records written in one transaction',
  }),
  batchLingerMs: key('sink.batch.linger.ms', wholeNumber(0, 60_000), {
    section: BATCHING,
    default: '10',
    doc: 'how long a partial batch waits for more records, in ms',
  }),
  insertMode: key('sink.insert.mode', oneOf(['insert', 'upsert', 'update', 'ignore']), {
    section: TABLES,
    default: 'insert',
    doc: 'insert | upsert (replace rows with the same key) | update (change existing rows only) | ignore (keep existing rows)',
  }),
  updateMissing: key('sink.update.missing', oneOf(['skip', 'dead_letter']), {
    section: TABLES,
    default: 'skip',
    doc: 'sink.insert.mode=update, a record whose row does not exist: skip (counted) | dead_letter',
  }),
  deleteEnabled: key('sink.delete.enabled', flag, {
    section: TABLES,
    default: 'false',
    doc: 'a tombstone (null value) deletes the row with its record key; needs sink.pk.mode=record_key',
  }),
  cdcFormat: key('sink.cdc.format', oneOf(['none', 'debezium']), {
    section: TABLES,
    default: 'none',
    doc: 'none | debezium: values are Debezium change events; c/r/u upsert the after row, d deletes by the record key (its tombstone is ignored); needs sink.pk.mode=record_key and sink.insert.mode=upsert',
  }),
  cdcColumns: key('sink.cdc.columns', cdcColumnList, {
    section: TABLES,
    default: '',
    doc: 'with sink.cdc.format=debezium, also store these, comma-separated: op (__op), source.ts_ms (__source_ts_ms), ts_ms (__ts_ms)',
  }),
  provenanceColumns: key('sink.provenance.columns', flag, {
    section: TABLES,
    default: 'true',
    doc: 'add _kafka_partition, _kafka_offset, _kafka_timestamp columns with a unique key',
  }),
  /** Normalised upper-case SQL type text, e.g. `VARCHAR(255)`, `LONGTEXT`. */
  stringType: key('sink.string.type', stringColumnType, {
    section: TABLES,
    default: 'VARCHAR(255)',
    doc: 'column type for Avro strings: VARCHAR(n), CHAR(n), TEXT, MEDIUMTEXT or LONGTEXT',
  }),
  /** Column type per record field, from `sink.column.type.<field>` keys (names without the prefix). */
  columnTypes: prefixed('sink.column.type.', columnType, {
    section: TABLES,
    doc: 'the column type of one record field, overriding the type derived from its schema, as sink.column.type.<field>, e.g.',
    example: { name: 'description', value: 'MEDIUMTEXT' },
    names: { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, what: 'a record field name', placeholder: 'field' },
  }),
  autoCreate: key('sink.auto.create', flag, {
    section: TABLES,
    default: 'true',
    doc: 'create a missing table from the record schema',
  }),
  autoEvolve: key('sink.auto.evolve', flag, {
    section: TABLES,
    default: 'true',
    doc: 'add columns, widen promoted types and too-short string columns (up to TEXT, MEDIUMTEXT, LONGTEXT) when the data needs it',
  }),
  fieldsInclude: key('sink.fields.include', fieldList, {
    section: TABLES,
    default: '',
    doc: 'only these record fields become columns, comma-separated (empty: all)',
  }),
  fieldsExclude: key('sink.fields.exclude', fieldList, {
    section: TABLES,
    default: '',
    doc: 'these record fields are dropped, comma-separated (not together with include)',
  }),
  /** As declared; '' (unset) is resolved by `effectivePkMode` (pk-mode.ts), which deriveConfig stores here. */
  pkMode: key('sink.pk.mode', oneOfOrUnset(['none', 'kafka', 'record_key', 'record_value']), {
    section: TABLES,
    default: '',
    doc: 'none | kafka (coordinates) | record_key | record_value; unset: record_value if sink.pk.fields is set, else kafka (none without provenance columns)',
  }),
  /** record_value: value fields; record_key: key fields (empty: all) or the primitive key's column name. */
  pkFields: key('sink.pk.fields', fieldList, {
    section: TABLES,
    default: '',
    doc: 'primary key fields, comma-separated: record_value: value fields; record_key: key fields (empty: all) or the column of a primitive key (empty: kafka_key)',
  }),
  keyFormat: key('sink.key.format', oneOf(['avro', 'string', 'int', 'long', 'bytes']), {
    section: TABLES,
    default: 'avro',
    doc: 'record keys (sink.pk.mode=record_key): avro (Confluent wire format) | string (UTF-8) | int | long (big-endian) | bytes',
  }),
  offsetsTable: key('sink.offsets.table', tableName, {
    section: TABLES,
    default: 'kafka_offsets',
    doc: 'table holding the committed offset of every partition',
  }),
  deadLetterTable: key('sink.deadletter.table', tableName, {
    section: TABLES,
    default: 'kafka_dead_letters',
    doc: 'table holding records that could not be written, with the reason',
  }),
  retryMaxMs: key('sink.retry.max.ms', wholeNumber(0, 86_400_000), {
    section: ERRORS,
    default: '300000',
    doc: 'total backoff budget for transient failures, in ms (0: no retry)',
  }),
  retryInitialMs: key('sink.retry.initial.ms', wholeNumber(1, 3_600_000), {
    section: ERRORS,
    default: '100',
    doc: 'first backoff delay in ms; later delays grow exponentially',
  }),
});
