import type { Type } from 'avsc';
import { SinkError, isSinkError, describeError } from '../core/errors.ts';
import { RecordDecoder } from '../avro/decoder.ts';
import type { SchemaCache } from '../avro/schema-cache.ts';
import { ValueTooLong } from '../mysql/column-converters.ts';
import { buildColumnModel, type ColumnModel, type ColumnModelOptions } from '../mysql/column-model.ts';
import type { DeadLetter, KafkaRecord, PreparedBatch, TableRows } from '../core/records.ts';

/** Error codes that are properties of one record: it can never be written, so it is dead-lettered. */
const POISON_CODES = new Set([
  'WIRE_FORMAT',
  'SCHEMA_NOT_FOUND',
  'DECODE_FAILED',
  'INVALID_UTF8',
  'SCHEMA_SUBJECT_MISMATCH',
  'VALUE_REJECTED',
  'SCHEMA_UNSUPPORTED',
  'IDENTIFIER_INVALID',
]);

export interface PreparerOptions {
  readonly table: string;
  readonly model: ColumnModelOptions;
  /** Make sure the table fits the model before the batch's transaction starts. */
  readonly ensureTable: (table: string, model: ColumnModel) => Promise<void>;
  /**
   * sink.auto.evolve for values: widen a string column so a too-long value fits (TableManager.widen);
   * resolves to the column's new type, or undefined when it cannot (then the value is dead-lettered).
   */
  readonly widenColumn?: (table: string, column: string, chars: number, bytes: number) => Promise<string | undefined>;
  /** 'none': a poison record stops the partition instead of being dead-lettered. */
  readonly tolerance: 'all' | 'none';
}

/**
 * Decodes a batch with each record's writer schema and turns it into rows, grouped by column layout
 * (a schema change mid-batch starts a new group, so order is kept). Poison records become dead
 * letters; a registry outage throws a retriable error and the whole batch is prepared again.
 */
export class RecordPreparer {
  readonly #decoder: RecordDecoder;
  readonly #options: PreparerOptions;
  readonly #models = new Map<number, ColumnModel>();
  readonly #modelErrors = new Map<number, SinkError>();
  /** `sink.column.type.<field>` plus the string columns widened so far: the models' column types. */
  readonly #columnTypes: Record<string, string>;

  constructor(schemas: SchemaCache, options: PreparerOptions) {
    this.#decoder = new RecordDecoder(schemas);
    this.#options = options;
    this.#columnTypes = { ...options.model.columnTypes };
  }

  async prepare(records: readonly KafkaRecord[]): Promise<PreparedBatch> {
    const tables: TableRows[] = [];
    const deadLetters: DeadLetter[] = [];
    let current: TableRows | undefined;
    for (const record of records) {
      try {
        if (record.value === null) {
          throw new SinkError('VALUE_REJECTED', 'tombstone (null value): nothing to insert in insert mode');
        }
        const decoded = this.#decoder.decodeIfKnown(record.value) ?? (await this.#decoder.decode(record.value));
        // Known schema: no await, so a batch is prepared without a microtask hop per record.
        let model = this.#models.get(decoded.schemaId) ?? (await this.#modelFor(decoded.schemaId, decoded.type));
        const coords = { partition: record.partition, offset: record.offset, timestamp: record.timestamp ?? null };
        let row: unknown[];
        for (;;) {
          try {
            row = model.toRow(decoded.value, coords);
            break;
          } catch (error) {
            if (!(error instanceof ValueTooLong) || !(await this.#widened(error))) throw error;
            model = await this.#modelFor(decoded.schemaId, decoded.type);
          }
        }
        if (current === undefined || current.columns !== model.columnNames) {
          current = { table: this.#options.table, columns: model.columnNames, records: [], rows: [] };
          tables.push(current);
        }
        current.records.push(record);
        current.rows.push(row);
      } catch (error) {
        if (!isPoison(error)) throw error;
        const kind = record.value === null ? 'TOMBSTONE' : (error as SinkError).code;
        if (this.#options.tolerance === 'none') {
          throw new SinkError(
            'VALUE_REJECTED',
            `record ${record.topic}/${record.partition}@${record.offset} can never be written ` +
              `(${kind}: ${describeError(error)}); errors.tolerance=none stops this partition`,
          );
        }
        deadLetters.push({ record, kind, message: describeError(error) });
      }
    }
    return {
      tables,
      deadLetters,
      count: records.length,
      lastOffset: records[records.length - 1]!.offset,
    };
  }

  /** Widens the column of a too-long value; true when the models were rebuilt and the record can be retried. */
  async #widened(error: ValueTooLong): Promise<boolean> {
    const widen = this.#options.widenColumn;
    if (widen === undefined) return false;
    const type = await widen(this.#options.table, error.field, error.chars, error.bytes);
    if (type === undefined || this.#columnTypes[error.field] === type) return false;
    this.#columnTypes[error.field] = type;
    this.#models.clear();
    this.#modelErrors.clear();
    return true;
  }

  async #modelFor(schemaId: number, type: Type): Promise<ColumnModel> {
    const known = this.#models.get(schemaId);
    if (known !== undefined) return known;
    const failed = this.#modelErrors.get(schemaId);
    if (failed !== undefined) throw failed;
    let model: ColumnModel;
    try {
      model = buildColumnModel(type, { ...this.#options.model, columnTypes: this.#columnTypes });
    } catch (error) {
      // A writer schema the table can't represent poisons every record using it; remember the verdict.
      if (isPoison(error)) this.#modelErrors.set(schemaId, error as SinkError);
      throw error;
    }
    await this.#options.ensureTable(this.#options.table, model);
    this.#models.set(schemaId, model);
    return model;
  }
}

function isPoison(error: unknown): boolean {
  return isSinkError(error) && POISON_CODES.has(error.code);
}
