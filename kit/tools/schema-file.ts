/**
 * The schema file of `provision` and `produce`: `{"topics": {"<topic>": <Avro record schema>}}`, the
 * seed's format (config/seed-schemas.json). Everything wrong with it is reported before any service is
 * touched, as one line naming the file, the topic and, for a bad schema, the field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Type } from 'avsc';
import { parseAvroSchema } from '../../src/avro/avro-schema.ts';
import { buildColumnModel, type ColumnModel } from '../../src/mysql/column-model.ts';
import { columnModelOptionsOf } from '../../src/pipeline/preparer-options.ts';
import type { TableSpec } from '../../src/mysql/compiled-query.ts';
import { buildKeyModel, buildKeyedModel, type KeyedColumnModel } from '../../src/mysql/key-model.ts';
import { tableSpecForPkMode } from '../../src/mysql/table-spec.ts';
import { DEFAULT_KEY_COLUMN, type SinkConfig } from '../../src/config/index.ts';
import { SinkError, describeError } from '../../src/core/errors.ts';
import { projectRoot } from '../../src/app/project-root.ts';

export function defaultSchemaFile(): string {
  return join(projectRoot(), 'config', 'seed-schemas.json');
}

export interface TopicSchema {
  readonly topic: string;
  /** The schema as written in the file: what gets registered. */
  readonly schema: object;
  readonly type: Type;
}

export interface SchemaFile {
  readonly path: string;
  readonly topics: ReadonlyMap<string, object>;
}

const FORMAT_HINT = 'expected {"topics": {"<topic>": <Avro record schema>}} as in config/seed-schemas.json';

function problem(message: string): SinkError {
  return new SinkError('USAGE', message.replace(/[\r\n]+/g, ' '));
}

export function readSchemaFile(path: string): SchemaFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? describeError(error)})`;
    throw problem(`schema file ${JSON.stringify(path)} ${what}; pass --schemas <file>, ${FORMAT_HINT}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw problem(`schema file ${JSON.stringify(path)} is not JSON (${describeError(error)}); ${FORMAT_HINT}`);
  }
  const topics = (json as { topics?: unknown } | null)?.topics;
  if (topics === null || typeof topics !== 'object' || Array.isArray(topics) || Object.keys(topics).length === 0) {
    throw problem(`schema file ${JSON.stringify(path)} has no "topics" object; ${FORMAT_HINT}`);
  }
  const map = new Map<string, object>();
  for (const [topic, schema] of Object.entries(topics as Record<string, unknown>)) {
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
      throw problem(
        `schema file ${JSON.stringify(path)}: topic ${JSON.stringify(topic)} is not an Avro record schema object; ${FORMAT_HINT}`,
      );
    }
    map.set(topic, schema);
  }
  return { path, topics: map };
}

/**
 * Parses one topic's schema. On failure, re-parses growing prefixes of the field list: the first prefix
 * that fails names the culprit field (named types defined by earlier fields stay resolvable).
 */
export function parseTopicSchema(file: SchemaFile, topic: string, schema: object): Type {
  const where = `schema file ${JSON.stringify(file.path)}: topic ${JSON.stringify(topic)}`;
  const record = schema as { type?: unknown; fields?: unknown };
  if (record.type !== 'record') {
    throw problem(
      `${where} is not an Avro record (its "type" is ${JSON.stringify(record.type ?? null)}); ` +
        `a topic's value schema must be {"type": "record", ...}`,
    );
  }
  try {
    return parseAvroSchema(schema);
  } catch (error) {
    const fields = Array.isArray(record.fields) ? (record.fields as unknown[]) : [];
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i] as { name?: unknown; type?: unknown } | null;
      const label = typeof field?.name === 'string' ? JSON.stringify(field.name) : `#${i + 1} (no "name")`;
      // avsc reports a missing type as a TypeError about its own internals.
      if (field === null || typeof field !== 'object' || field.type === undefined) {
        throw problem(`${where}, field ${label}: invalid Avro schema: the field has no "type"`);
      }
      try {
        parseAvroSchema({ ...schema, fields: fields.slice(0, i + 1) });
      } catch (fieldError) {
        throw problem(`${where}, field ${label}: ${describeError(fieldError)}`);
      }
    }
    throw problem(`${where}: ${describeError(error)}`);
  }
}

/** The column model the sink will use for this schema under this config (same options as the sink). */
export function columnModelFor(config: SinkConfig, type: Type, where: string): ColumnModel {
  try {
    return buildColumnModel(type, columnModelOptionsOf(config));
  } catch (error) {
    throw problem(`${where}: ${describeError(error)}`);
  }
}

/**
 * The table layout the sink will create for this schema under this config: with `sink.pk.mode=record_key`
 * the key schema's columns lead and are the primary key, as the sink's own keyed model makes them.
 */
export function tableSpecFor(config: SinkConfig, table: string, type: Type, keyType: Type, where: string): TableSpec {
  const { pkMode, pkFields, provenanceColumns } = config.sink;
  const model =
    pkMode === 'record_key' ? keyedModelFor(config, type, keyType, where) : columnModelFor(config, type, where);
  return tableSpecForPkMode(table, model, { provenance: provenanceColumns, pkMode, pkFields });
}

/** The keyed model the sink will use under `sink.pk.mode=record_key` (same options as the sink). */
function keyedModelFor(config: SinkConfig, type: Type, keyType: Type, where: string): KeyedColumnModel {
  const { pkFields, stringType } = config.sink;
  try {
    const key = buildKeyModel(keyType, { fields: pkFields, primitiveColumn: DEFAULT_KEY_COLUMN, stringType });
    return buildKeyedModel(key, type, columnModelOptionsOf(config));
  } catch (error) {
    throw problem(`${where}: ${describeError(error)}`);
  }
}

/**
 * Schemas of `topics`, in that order. A topic the file lacks is an error that lists what the file has,
 * since the usual cause is kafka.topics and the file disagreeing.
 */
export function schemasFor(file: SchemaFile, topics: readonly string[]): TopicSchema[] {
  const missing = topics.filter((topic) => !file.topics.has(topic));
  if (missing.length > 0) {
    throw problem(
      `schema file ${JSON.stringify(file.path)} has no schema for topic${missing.length > 1 ? 's' : ''} ` +
        `${missing.map((t) => JSON.stringify(t)).join(', ')} ` +
        `(it has ${[...file.topics.keys()].map((t) => JSON.stringify(t)).join(', ')}); ` +
        'set kafka.topics to topics of the file or pass --schemas <file>',
    );
  }
  return topics.map((topic) => {
    const schema = file.topics.get(topic) as object;
    return { topic, schema, type: parseTopicSchema(file, topic, schema) };
  });
}
