import type { Type } from 'avsc';
import { type CdcColumn, DEFAULT_KEY_COLUMN, type SinkConfig } from '../config/index.ts';
import { SinkError, isSinkError, describeError } from '../core/errors.ts';
import { RecordDecoder } from '../avro/decoder.ts';
import { KeyDecoder, type DecodedKey, type KeyFormat } from '../avro/key-decoder.ts';
import type { SchemaCache } from '../avro/schema-cache.ts';
import { type Envelope, envelopeOf } from '../avro/debezium-envelope.ts';
import { ValueTooLong } from '../mysql/column-converters.ts';
import { buildColumnModel, type ColumnModel, type ColumnModelOptions } from '../mysql/column-model.ts';
import { buildKeyModel, buildKeyedModel, type KeyModel, type KeyedColumnModel } from '../mysql/key-model.ts';
import type { TableModel } from '../sink/table-manager.ts';
import { rowLayout } from '../sink/operation-plan.ts';
import type { SubjectCheck } from './subject-check.ts';
import {
  type DeadLetter,
  isTombstone,
  type KafkaRecord,
  type PreparedBatch,
  type RowLayout,
  type RowOperation,
} from '../core/records.ts';

/** Error codes that are properties of one record: it can never be written, so it is dead-lettered. */
const POISON_CODES = new Set([
  'WIRE_FORMAT',
  'SCHEMA_NOT_FOUND',
  'DECODE_FAILED',
  'INVALID_UTF8',
  'SCHEMA_SUBJECT_MISMATCH',
  'VALUE_REJECTED',
  'KEY_REJECTED',
  'SCHEMA_UNSUPPORTED',
  'IDENTIFIER_INVALID',
]);

/** The Kafka coordinates, the key of `sink.pk.mode=kafka`. */
const COORDINATES: readonly string[] = ['_kafka_partition', '_kafka_offset'];

export interface KeyOptions {
  /** `sink.pk.mode` as applied (never unset). */
  readonly mode: 'none' | 'kafka' | 'record_key' | 'record_value';
  /** `sink.pk.fields`: value fields (record_value), key fields or the primitive key's column (record_key). */
  readonly fields: readonly string[];
  /** `sink.key.format` (record_key). */
  readonly format: KeyFormat;
  /** Column of a primitive key when `fields` is empty. */
  readonly primitiveColumn: string;
  /** `sink.delete.enabled`: a tombstone deletes its key's row. */
  readonly deletes: boolean;
}

/** The key options of a loaded config. */
export function keyOptionsOf(config: SinkConfig): KeyOptions {
  const { pkMode, pkFields, keyFormat, deleteEnabled } = config.sink;
  return {
    mode: pkMode,
    fields: pkFields,
    format: keyFormat,
    primitiveColumn: DEFAULT_KEY_COLUMN,
    deletes: deleteEnabled,
  };
}

export interface PreparerOptions {
  readonly table: string;
  readonly model: ColumnModelOptions;
  readonly key: KeyOptions;
  /** Make sure the table fits the model before the batch's transaction starts. */
  readonly ensureTable: (table: string, model: TableModel) => Promise<void>;
  /** For deletes: whether the table exists (keyed by these columns); a missing table has nothing to delete. */
  readonly deletableTable: (table: string, keyColumns: readonly string[]) => Promise<boolean>;
  /**
   * sink.auto.evolve for values: widen a string column so a too-long value fits (TableManager.widen);
   * resolves to the column's new type, or undefined when it cannot (then the value is dead-lettered).
   */
  readonly widenColumn?: (table: string, column: string, chars: number, bytes: number) => Promise<string | undefined>;
  /** The value schema's subject check (kafka.value.subject.name.strategy), before any table is touched. */
  readonly subjects?: SubjectCheck;
  /** 'none': a poison record stops the partition instead of being dead-lettered. */
  readonly tolerance: 'all' | 'none';
  /** `sink.cdc.format=debezium`: values are change events (debezium-envelope.ts), with these change columns. */
  readonly cdc?: { readonly columns: readonly CdcColumn[] };
}

interface Shape {
  readonly layout: RowLayout;
}
interface ValueShape extends Shape {
  readonly model: ColumnModel;
}
interface KeyedShape extends Shape {
  readonly model: KeyedColumnModel;
}
interface KeyShape extends Shape {
  readonly model: KeyModel;
}

/**
 * Decodes a batch (each record with its writer schemas) into row operations in offset order: a write per
 * record with a value, a delete per tombstone when deletes are on. With `sink.pk.mode=record_key` the key
 * is decoded too and its columns lead the row. Poison records become dead letters; a registry outage
 * throws a retriable error and the whole batch is prepared again.
 */
export class RecordPreparer {
  readonly #decoder: RecordDecoder;
  readonly #keys: KeyDecoder;
  readonly #options: PreparerOptions;
  readonly #values = new Map<number, ValueShape>();
  readonly #keyed = new Map<string, KeyedShape>();
  readonly #keyModels = new Map<number, KeyShape>();
  readonly #envelopes = new Map<number, Envelope>();
  /** Verdicts on writer schemas the table can never represent: every record using them is poison. */
  readonly #modelErrors = new Map<string, SinkError>();
  /** `sink.column.type.<field>` plus the string columns widened so far: the models' column types. */
  readonly #columnTypes: Record<string, string>;

  constructor(schemas: SchemaCache, options: PreparerOptions) {
    this.#decoder = new RecordDecoder(schemas);
    this.#keys = new KeyDecoder(schemas, options.key.format);
    this.#options = options;
    this.#columnTypes = { ...options.model.columnTypes };
  }

  async prepare(records: readonly KafkaRecord[]): Promise<PreparedBatch> {
    const operations: RowOperation[] = [];
    const deadLetters: DeadLetter[] = [];
    const { deletes } = this.#options.key;
    for (let index = 0; index < records.length; index++) {
      const record = records[index]!;
      try {
        // A change stream follows each delete event with a tombstone for compaction: the row is gone already.
        const operation = isTombstone(record)
          ? this.#options.cdc === undefined
            ? await this.#delete(record)
            : undefined
          : (this.#writeKnown(record) ?? (await this.#write(record)));
        if (operation !== undefined) operations.push(operation);
      } catch (error) {
        if (!isPoison(error)) throw error;
        const kind = isTombstone(record) && !deletes ? 'TOMBSTONE' : (error as SinkError).code;
        if (this.#options.tolerance === 'none') {
          const halt = new SinkError(
            'VALUE_REJECTED',
            `record ${record.topic}/${record.partition}@${record.offset} can never be written ` +
              `(${kind}: ${describeError(error)}); errors.tolerance=none stops this partition`,
          );
          if (index === 0) throw halt;
          // What came before the record is written; the partition stops at it.
          return { operations, deadLetters, count: index, lastOffset: record.offset - 1, halt };
        }
        deadLetters.push({ record, kind, message: describeError(error) });
      }
    }
    return {
      operations,
      deadLetters,
      count: records.length,
      lastOffset: records[records.length - 1]!.offset,
    };
  }

  /**
   * The hot path: every schema and model already known, nothing to await, so a batch is prepared without a
   * microtask hop per record. Undefined when something must be fetched, checked or built first (or a
   * column widened): then `#write` takes the full path.
   */
  #writeKnown(record: KafkaRecord): RowOperation | undefined {
    if (this.#options.cdc !== undefined) return undefined;
    const decoded = this.#decoder.decodeValueIfKnown(record);
    if (decoded === undefined) return undefined;
    const subjects = this.#options.subjects;
    if (subjects !== undefined && !subjects.passed(decoded.schemaId)) return undefined;
    try {
      if (this.#options.key.mode !== 'record_key') {
        const shape = this.#values.get(decoded.schemaId);
        if (shape === undefined) return undefined;
        return { kind: 'write', record, layout: shape.layout, values: shape.model.toRow(decoded.value, record) };
      }
      const key = this.#keys.decodeIfKnown(record.key);
      const keyShape = key === undefined ? undefined : this.#keyModels.get(key.schemaId);
      const shape = keyShape === undefined ? undefined : this.#keyed.get(`${key!.schemaId}:${decoded.schemaId}`);
      if (shape === undefined) return undefined;
      const values = shape.model.toRow(keyShape!.model.toKey(key!.value), decoded.value, record);
      return { kind: 'write', record, layout: shape.layout, values };
    } catch (error) {
      if (error instanceof ValueTooLong) return undefined;
      throw error;
    }
  }

  async #write(record: KafkaRecord): Promise<RowOperation | undefined> {
    let decoded = this.#decoder.decodeValueIfKnown(record) ?? (await this.#decoder.decode(record.value));
    // Before the schema may shape the table: it must be the topic's (subject-check.ts).
    const subjects = this.#options.subjects;
    if (subjects !== undefined && !subjects.passed(decoded.schemaId))
      await subjects.check(decoded.schemaId, decoded.type);
    if (this.#options.cdc !== undefined) {
      const envelope = this.#envelopes.get(decoded.schemaId) ?? this.#envelope(decoded.schemaId, decoded.type);
      const change = envelope.unwrap(decoded.value);
      if (change.kind === 'delete') return this.#deleteByKey(record);
      // The row's model is cached per envelope schema, as any value model is.
      decoded = { schemaId: decoded.schemaId, type: envelope.rowType, value: change.row };
    }
    if (this.#options.key.mode !== 'record_key') {
      for (;;) {
        // Known schema: no await, so a batch is prepared without a microtask hop per record.
        const shape = this.#values.get(decoded.schemaId) ?? (await this.#valueShape(decoded.schemaId, decoded.type));
        try {
          return { kind: 'write', record, layout: shape.layout, values: shape.model.toRow(decoded.value, record) };
        } catch (error) {
          if (!(error instanceof ValueTooLong) || !(await this.#widened(error))) throw error;
        }
      }
    }
    const key = this.#keys.decodeIfKnown(record.key) ?? (await this.#keys.decode(record.key));
    const keyShape = this.#keyModels.get(key.schemaId) ?? this.#keyShape(key);
    const keyValues = keyShape.model.toKey(key.value);
    const id = `${key.schemaId}:${decoded.schemaId}`;
    for (;;) {
      const shape = this.#keyed.get(id) ?? (await this.#keyedShape(id, keyShape.model, decoded.schemaId, decoded.type));
      try {
        const values = shape.model.toRow(keyValues, decoded.value, record);
        return { kind: 'write', record, layout: shape.layout, values };
      } catch (error) {
        if (!(error instanceof ValueTooLong) || !(await this.#widened(error))) throw error;
      }
    }
  }

  /** Widens the column of a too-long value; true when the models were rebuilt and the record can be retried. */
  async #widened(error: ValueTooLong): Promise<boolean> {
    const widen = this.#options.widenColumn;
    if (widen === undefined) return false;
    const type = await widen(this.#options.table, error.field, error.chars, error.bytes);
    if (type === undefined || this.#columnTypes[error.field] === type) return false;
    this.#columnTypes[error.field] = type;
    this.#values.clear();
    this.#keyed.clear();
    this.#modelErrors.clear();
    return true;
  }

  /** A tombstone: with deletes off it is poison (kind TOMBSTONE); with them on, a delete of its key's row. */
  async #delete(record: KafkaRecord): Promise<RowOperation | undefined> {
    if (!this.#options.key.deletes) {
      throw new SinkError(
        'VALUE_REJECTED',
        'tombstone (null value) and sink.delete.enabled=false: nothing to write; set sink.delete.enabled=true (with sink.pk.mode=record_key) to delete rows',
      );
    }
    return this.#deleteByKey(record);
  }

  /** The delete of the row the record's key names (a tombstone, or a Debezium delete event). */
  async #deleteByKey(record: KafkaRecord): Promise<RowOperation | undefined> {
    const key = this.#keys.decodeIfKnown(record.key) ?? (await this.#keys.decode(record.key));
    const shape = this.#keyModels.get(key.schemaId) ?? this.#keyShape(key);
    const values = shape.model.toKey(key.value);
    // A table that does not exist yet holds no row to delete: the tombstone is applied as it is.
    if (!(await this.#options.deletableTable(this.#options.table, shape.model.columnNames))) return undefined;
    return { kind: 'delete', record, layout: shape.layout, values };
  }

  /** The envelope of a writer schema; one that is not an envelope poisons every record written with it. */
  #envelope(schemaId: number, type: Type): Envelope {
    const envelope = this.#remember(`envelope:${schemaId}`, () => envelopeOf(type, this.#options.cdc?.columns ?? []));
    this.#envelopes.set(schemaId, envelope);
    return envelope;
  }

  #keyShape(key: DecodedKey): KeyShape {
    const { fields, primitiveColumn } = this.#options.key;
    const model = this.#remember(`key:${key.schemaId}`, () =>
      buildKeyModel(key.type, { fields, primitiveColumn, stringType: this.#options.model.stringType }),
    );
    const shape = { model, layout: rowLayout(this.#options.table, model.columnNames, model.columnNames) };
    this.#keyModels.set(key.schemaId, shape);
    return shape;
  }

  async #valueShape(schemaId: number, type: Type): Promise<ValueShape> {
    const model = this.#remember(`value:${schemaId}`, () =>
      buildColumnModel(type, { ...this.#options.model, columnTypes: this.#columnTypes }),
    );
    await this.#options.ensureTable(this.#options.table, model);
    const { mode, fields } = this.#options.key;
    const keyColumns =
      mode === 'record_value' ? fields : mode === 'kafka' && this.#options.model.provenance ? COORDINATES : [];
    const shape = { model, layout: rowLayout(this.#options.table, model.columnNames, keyColumns) };
    this.#values.set(schemaId, shape);
    return shape;
  }

  async #keyedShape(id: string, key: KeyModel, schemaId: number, type: Type): Promise<KeyedShape> {
    const model = this.#remember(`value:${schemaId}/${id}`, () =>
      buildKeyedModel(key, type, { ...this.#options.model, columnTypes: this.#columnTypes }),
    );
    await this.#options.ensureTable(this.#options.table, model);
    const shape = { model, layout: rowLayout(this.#options.table, model.columnNames, model.keyColumns) };
    this.#keyed.set(id, shape);
    return shape;
  }

  /** Builds a model once; a schema the table can't represent poisons every record using it: remember that. */
  #remember<M>(id: string, build: () => M): M {
    const failed = this.#modelErrors.get(id);
    if (failed !== undefined) throw failed;
    try {
      return build();
    } catch (error) {
      if (isPoison(error)) this.#modelErrors.set(id, error as SinkError);
      throw error;
    }
  }
}

function isPoison(error: unknown): boolean {
  return isSinkError(error) && POISON_CODES.has(error.code);
}
