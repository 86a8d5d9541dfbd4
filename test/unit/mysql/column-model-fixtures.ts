import { parseAvroSchema } from '../../../src/avro/avro-schema.ts';
import { buildColumnModel, type ColumnModelOptions } from '../../../src/mysql/column-model.ts';

export function record(fields: unknown[]): object {
  return { type: 'record', name: 'r', namespace: 'test', fields };
}

export function field(name: string, type: unknown, extra: object = {}): object {
  return { name, type, ...extra };
}

/** Column model of a one-field record plus the row of `value` after an Avro encode / decode. */
export function single(
  type: unknown,
  value: unknown,
  options?: ColumnModelOptions,
): { sqlType: string; nullable: boolean; row: unknown } {
  const avroType = parseAvroSchema(record([field('f', type)]));
  const model = buildColumnModel(avroType, options);
  const decoded = avroType.fromBuffer(avroType.toBuffer({ f: value }));
  const [column] = model.columns;
  return { sqlType: column!.sqlType, nullable: column!.nullable, row: model.toRow(decoded)[0] };
}

/** Row of an already-decoded value, skipping the Avro round trip (for values avsc cannot encode). */
export function rowOf(type: unknown, value: unknown, options?: ColumnModelOptions): unknown {
  return buildColumnModel(record([field('f', type)]), options).toRow({ f: value })[0];
}
