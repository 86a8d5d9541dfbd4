/**
 * Checks that involve more than one key, on values that each passed their own checks. They name every key
 * involved with where its value came from.
 */
import type * as z from 'zod';
import type { KeyLookup } from './config-loader.ts';
import { declarationOf } from './declare-keys.ts';
import { oneLine } from './messages.ts';
import { kafkaSecurityProblems, registryProblems } from './kafka-security-checks.ts';
import { effectivePkMode, type PkMode } from './pk-mode.ts';
import { tlsProblems } from './mysql-tls.ts';
import { SINK_KEYS, type KeyValues } from './sink-keys.ts';
import { groupIdProblem, renderTemplate, tableNameProblem } from './templates.ts';

const { kafka, sink } = SINK_KEYS.shape;
const name = (schema: z.ZodType): string => declarationOf(schema).name;

export function crossCheck(values: KeyValues, lookup: KeyLookup): string[] {
  const { at, problem, isSet } = lookup;
  const problems: string[] = [];
  const tls = SINK_KEYS.shape.mysql.shape.ssl.shape;
  for (const p of tlsProblems(values, isSet(tls.mode))) problems.push(problem(tls[p.about], p.problem, p.fix));
  const security = kafka.shape.security.shape;
  for (const p of kafkaSecurityProblems(values)) problems.push(problem(security[p.about], p.problem, p.fix));
  const registry = kafka.shape.registry.shape;
  for (const p of registryProblems(values)) problems.push(problem(registry[p.about], p.problem, p.fix));
  const keys = sink.shape;
  const { fieldsInclude: include, fieldsExclude: exclude, pkFields: pk } = values.sink;

  if (include.length > 0 && exclude.length > 0) {
    problems.push(
      `config keys ${at(keys.fieldsInclude)} and ${at(keys.fieldsExclude)} are both set; set only one of them`,
    );
  }
  const pkMode = effectivePkMode(values.sink);
  const dropped =
    pkMode !== 'record_value'
      ? []
      : pk.filter((field) => (include.length > 0 ? !include.includes(field) : exclude.includes(field)));
  if (dropped.length > 0) {
    const narrowing = include.length > 0 ? keys.fieldsInclude : keys.fieldsExclude;
    problems.push(
      `config key ${at(keys.pkFields)} names ${dropped.map((f) => JSON.stringify(f)).join(', ')}, which ${at(narrowing)} leaves out of the table; keep key fields in the table`,
    );
  }
  problems.push(...keyModeProblems(values, pkMode, at));
  problems.push(...cdcProblems(values, pkMode, at));
  const { retryMaxMs, retryInitialMs } = values.sink;
  if (retryMaxMs > 0 && retryInitialMs > retryMaxMs) {
    const max = name(keys.retryMaxMs);
    problems.push(problem(keys.retryInitialMs, `is larger than ${max} (${retryMaxMs})`, `set it at most ${max}`));
  }
  problems.push(...tableAndGroupProblems(values, lookup));
  const fetchProblem = fetchSizeProblem(values);
  if (fetchProblem !== undefined) problems.push(problem(kafka.shape.fetchMaxBytes, ...fetchProblem));
  return problems;
}

/** librdkafka's default `message.max.bytes`. */
const MESSAGE_MAX_BYTES = 1_000_000;

/**
 * The Kafka client refuses a fetch smaller than `message.max.bytes`, but only when the consumer is
 * created: the sink then took it for a broker that does not answer and retried for ever.
 */
function fetchSizeProblem(values: KeyValues): [string, string] | undefined {
  const given = Number(values.kafka.consumerProperties['message.max.bytes']);
  const messageMax = Number.isInteger(given) && given > 0 ? given : MESSAGE_MAX_BYTES;
  if (values.kafka.fetchMaxBytes >= messageMax) return undefined;
  return [
    `is below the Kafka client's message.max.bytes (${messageMax}), which it refuses`,
    `set it to at least ${messageMax}`,
  ];
}

/** A Debezium change stream finds its rows by the record key and upserts them. */
function cdcProblems(values: KeyValues, pkMode: PkMode, at: KeyLookup['at']): string[] {
  const keys = sink.shape;
  const { cdcFormat, cdcColumns, insertMode } = values.sink;
  if (cdcFormat === 'none') {
    return cdcColumns.length === 0
      ? []
      : [
          `config key ${at(keys.cdcColumns)} names change columns, but ${at(keys.cdcFormat)} is none; set ${name(keys.cdcFormat)}=debezium or clear ${name(keys.cdcColumns)}`,
        ];
  }
  const problems: string[] = [];
  if (pkMode !== 'record_key') {
    problems.push(
      `config key ${at(keys.cdcFormat)} = debezium finds rows by the record key (Debezium's key schema), but ${name(keys.pkMode)} is ${pkMode}; set ${name(keys.pkMode)}=record_key`,
    );
  }
  if (insertMode !== 'upsert') {
    problems.push(
      `config key ${at(keys.cdcFormat)} = debezium applies creates and updates as upserts, but ${at(keys.insertMode)} is ${insertMode}; set ${name(keys.insertMode)}=upsert`,
    );
  }
  return problems;
}

/** `sink.pk.mode` against the keys it depends on (the mode as applied: unset is derived, pk-mode.ts). */
function keyModeProblems(values: KeyValues, pkMode: PkMode, at: KeyLookup['at']): string[] {
  const problems: string[] = [];
  const keys = sink.shape;
  const { pkFields: pk, insertMode: mode, deleteEnabled, keyFormat, provenanceColumns } = values.sink;
  const modeText = values.sink.pkMode === '' ? `${name(keys.pkMode)} (unset: ${pkMode})` : at(keys.pkMode);
  if (mode !== 'insert' && pkMode === 'none') {
    const fix = provenanceColumns
      ? `set ${name(keys.pkMode)} to kafka, record_key or record_value`
      : `set ${name(keys.pkFields)}, ${name(keys.pkMode)}=record_key or ${name(keys.provenanceColumns)}=true`;
    problems.push(
      `config key ${at(keys.insertMode)} = ${mode} needs a key to match rows on, and there is none; ${fix}`,
    );
  }
  if (mode === 'update' && pkMode === 'kafka') {
    problems.push(
      `config key ${at(keys.insertMode)} = update changes rows found by key, but ${modeText} keys every record on its own Kafka coordinates, so no record could ever find a row; set ${name(keys.pkMode)}=record_key or record_value`,
    );
  }
  if (pkMode === 'kafka' && !provenanceColumns) {
    problems.push(
      `config key ${modeText} keys rows on the Kafka coordinates, but ${at(keys.provenanceColumns)} leaves them out; set ${name(keys.provenanceColumns)}=true`,
    );
  }
  if (pkMode === 'kafka' && pk.length > 0) {
    problems.push(
      `config key ${at(keys.pkFields)} names fields, but ${modeText} keys rows on the Kafka coordinates; set ${name(keys.pkMode)}=record_value or clear ${name(keys.pkFields)}`,
    );
  }
  if (pkMode === 'record_value' && pk.length === 0) {
    problems.push(`config key ${modeText} needs the key's value fields; set ${name(keys.pkFields)}`);
  }
  if (pkMode === 'record_key' && keyFormat !== 'avro' && pk.length > 1) {
    problems.push(
      `config key ${at(keys.pkFields)} names ${pk.length} fields, but a ${keyFormat} key (${at(keys.keyFormat)}) is one column; name at most one`,
    );
  }
  if (deleteEnabled && pkMode !== 'record_key') {
    problems.push(
      `config key ${at(keys.deleteEnabled)} needs ${name(keys.pkMode)}=record_key (a tombstone names its row only by its key), but it is ${pkMode}; set ${name(keys.pkMode)}=record_key or ${name(keys.deleteEnabled)}=false`,
    );
  }
  return problems;
}

/** Every topic needs a usable group id and its own table, distinct from the sink's own tables. */
function tableAndGroupProblems(values: KeyValues, { at, problem }: KeyLookup): string[] {
  const problems: string[] = [];
  const keys = sink.shape;
  const groupKey = kafka.shape.groupIdTemplate;
  // Table names compare case-insensitively: on case-insensitive file systems MySQL folds them.
  const owners = new Map<string, { owner: string; topic: boolean }>();
  const reserve = (table: string, owner: string, topic: boolean): void => {
    const previous = owners.get(table.toLowerCase());
    if (previous === undefined) {
      owners.set(table.toLowerCase(), { owner, topic });
      return;
    }
    const fix = !topic
      ? 'give them different names'
      : previous.topic
        ? `include \${topic} in ${name(keys.tableTemplate)} so each topic gets its own table`
        : `rename that table or change ${name(keys.tableTemplate)}`;
    problems.push(oneLine(`config: ${owner} and ${previous.owner} both use table ${JSON.stringify(table)}; ${fix}`));
  };
  reserve(values.sink.offsetsTable, at(keys.offsetsTable), false);
  reserve(values.sink.deadLetterTable, at(keys.deadLetterTable), false);
  for (const topic of values.kafka.topics) {
    const groupProblem = groupIdProblem(renderTemplate(values.kafka.groupIdTemplate, topic));
    if (groupProblem !== undefined) {
      problems.push(
        problem(
          groupKey,
          `${groupProblem} for topic ${JSON.stringify(topic)}`,
          `set a shorter template, e.g. ${declarationOf(groupKey).default}`,
        ),
      );
    }
    const table = renderTemplate(values.sink.tableTemplate, topic);
    const tableProblem = tableNameProblem(table);
    if (tableProblem !== undefined) {
      problems.push(
        problem(
          keys.tableTemplate,
          `${tableProblem} for topic ${JSON.stringify(topic)}`,
          'set a template giving 1 to 64 characters, e.g. ${topic}',
        ),
      );
      continue;
    }
    reserve(table, `topic ${JSON.stringify(topic)} via ${at(keys.tableTemplate)}`, true);
  }
  return problems;
}
