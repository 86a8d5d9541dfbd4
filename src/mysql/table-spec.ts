/**
 * The layout of a topic's table: the column model's columns and the table's keys. Without
 * `sink.pk.fields` the Kafka coordinates (provenance columns) are the primary key; with it the named
 * record fields are, and the coordinates stay a unique key. Provisioned and sink-created tables both
 * come from here, so they never differ.
 */
import type { PkMode } from '../config/pk-mode.ts';
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

/** How a table is keyed: `sink.pk.mode` as applied (unset: by whether pkFields are given), its fields. */
export interface TableKeying {
  readonly provenance: boolean;
  readonly pkMode?: PkMode;
  readonly pkFields?: readonly string[];
}

/**
 * The table the sink creates under `sink.pk.mode`: keyed on the record key's columns (record_key, which
 * lead a keyed model), on `sink.pk.fields` (record_value), on the Kafka coordinates (kafka) or on nothing
 * (none). The one choice of key columns, so a provisioned table is the table the sink would create.
 */
export function tableSpecForPkMode(
  table: string,
  model: { readonly columns: readonly ModelColumn[]; readonly keyColumns?: readonly string[] },
  keying: TableKeying,
): TableSpec {
  const { provenance, pkMode, pkFields = [] } = keying;
  const keyColumns = pkMode === 'record_key' ? (model.keyColumns ?? []) : pkMode === 'kafka' ? [] : pkFields;
  return tableSpec(table, model, provenance, keyColumns, pkMode === 'none');
}
