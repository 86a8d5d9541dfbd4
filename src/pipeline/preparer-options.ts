/**
 * One config → the options of the table manager and of a topic's record preparer. The sink and the
 * dead-letter replay both take them from here: a replayed record must be prepared exactly as the sink
 * would have prepared it (same column types, keys, change-event format, subject check, widening).
 */
import type { RegistryClient } from '../avro/registry-client.ts';
import { type SinkConfig, tableNameFor } from '../config/index.ts';
import type { ColumnModelOptions } from '../mysql/column-model.ts';
import type { TableManager, TableManagerOptions } from '../sink/table-manager.ts';
import { keyOptionsOf, type PreparerOptions } from './record-preparer.ts';
import { SubjectCheck } from './subject-check.ts';

/** How a value schema becomes columns under this config (also what provisioning creates). */
export function columnModelOptionsOf(config: SinkConfig): ColumnModelOptions {
  const { sink } = config;
  return {
    stringType: sink.stringType,
    columnTypes: sink.columnTypes,
    provenance: sink.provenanceColumns,
    ...(sink.fieldsInclude.length ? { include: sink.fieldsInclude } : {}),
    ...(sink.fieldsExclude.length ? { exclude: sink.fieldsExclude } : {}),
  };
}

export function tableManagerOptionsOf({ sink }: SinkConfig): TableManagerOptions {
  const { autoCreate, autoEvolve, provenanceColumns: provenance, pkMode, pkFields } = sink;
  return { autoCreate, autoEvolve, provenance, pkMode, pkFields, checkKafkaKey: sink.insertMode !== 'insert' };
}

/** The preparer of `topic`'s records, its tables kept by `tables`, its schemas and subjects from `registry`. */
export function preparerOptionsOf(
  config: SinkConfig,
  topic: string,
  tables: TableManager,
  registry: RegistryClient,
): PreparerOptions {
  return {
    table: tableNameFor(config, topic),
    model: columnModelOptionsOf(config),
    key: keyOptionsOf(config),
    ensureTable: (name, model) => tables.ensure(name, model),
    ...(config.sink.cdcFormat === 'debezium' ? { cdc: { columns: config.sink.cdcColumns } } : {}),
    deletableTable: (name, keyColumns) => tables.deletable(name, keyColumns),
    widenColumn: (name, column, chars, bytes) => tables.widen(name, column, chars, bytes),
    tolerance: config.errors.tolerance,
    subjects: new SubjectCheck(registry, topic, config.kafka.valueSubjectNameStrategy),
  };
}
