/**
 * The layout of a topic's table: the column model's columns and the table's keys. Without
 * `sink.pk.fields` the Kafka coordinates (provenance columns) are the primary key; with it the named
 * record fields are, and the coordinates stay a unique key. Provisioned and sink-created tables both
 * come from here, so they never differ.
 */
import { SinkError } from '../core/errors.ts';
import type { ModelColumn } from './column-model.ts';
import type { ColumnSpec, TableSpec } from './compiled-query.ts';

/** The provenance columns that place a row at its record: `_kafka_partition`, `_kafka_offset`. */
const COORDINATES: readonly string[] = Object.freeze(['_kafka_partition', '_kafka_offset']);

export function tableSpec(
  table: string,
  model: { readonly columns: readonly ModelColumn[] },
  provenance: boolean,
  pkFields: readonly string[] = [],
  unkeyed = false,
): TableSpec {
  const columns: ColumnSpec[] = model.columns.map(({ name, sqlType, nullable }) => ({ name, sqlType, nullable }));
  // `sink.pk.mode=none`: no primary key; the coordinates still keep one record from landing twice.
  if (unkeyed)
    return provenance
      ? { name: table, columns, uniqueKeys: { kafka_position: COORDINATES } }
      : { name: table, columns };
  // Kafka coordinates are the natural key of an appended record: a second copy of one cannot exist.
  if (pkFields.length === 0)
    return provenance ? { name: table, columns, primaryKey: COORDINATES } : { name: table, columns };
  for (const field of pkFields) {
    const column = columns.find((c) => c.name === field);
    if (column === undefined) {
      throw new SinkError(
        'SCHEMA_INVALID',
        `sink.pk.fields names ${JSON.stringify(field)}, which the record schema of table \`${table}\` ` +
          'does not have; fix sink.pk.fields',
      );
    }
    if (column.nullable) {
      throw new SinkError(
        'SCHEMA_INVALID',
        `sink.pk.fields names ${JSON.stringify(field)}, which is nullable in the record schema of table ` +
          `\`${table}\`; a key field must always have a value`,
      );
    }
  }
  // Keyed by the record's own fields; the coordinates stay unique (each row is one record's version).
  return provenance
    ? { name: table, columns, primaryKey: pkFields, uniqueKeys: { kafka_position: COORDINATES } }
    : { name: table, columns, primaryKey: pkFields };
}
