/**
 * Value kinds that name things: topics, record fields, tables and the string column type. Anything that
 * ends up in DDL is checked against a closed set of spellings here, so no free SQL gets through.
 */
import { reject } from './messages.ts';
import { ALLOWED_COLUMN_TYPES, parseColumnType } from './sql-column-type.ts';
import { templateProblem } from './templates.ts';
import { parsedBy, splitList, type ValueType } from './value-types.ts';

const TOPIC_RE = /^[A-Za-z0-9._-]{1,249}$/;
const FIELD_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TABLE_RE = /^[A-Za-z0-9_$]{1,64}$/;

/** One or more Kafka topic names, comma-separated, each once. */
export const topicList: ValueType<readonly string[]> = {
  schema: () =>
    parsedBy((value) => {
      const topics = splitList(value);
      if (topics.length === 0)
        reject('lists no topics', 'set one or more comma-separated topic names, e.g. dataset1,dataset2');
      const seen = new Set<string>();
      for (const topic of topics) {
        if (!TOPIC_RE.test(topic) || topic === '.' || topic === '..') {
          reject(
            `has an invalid topic name ${JSON.stringify(topic)}`,
            'use 1 to 249 characters from a-z A-Z 0-9 . _ - (Kafka topic rules), comma-separated',
          );
        }
        if (seen.has(topic)) reject(`lists topic ${JSON.stringify(topic)} twice`, 'list each topic once');
        seen.add(topic);
      }
      return topics;
    }),
};

/** Top-level Avro field names, comma-separated; kept in order, once each. Empty is allowed. */
export const fieldList: ValueType<readonly string[]> = {
  schema: () =>
    parsedBy((value) => {
      const fields = splitList(value);
      for (const field of fields) {
        if (!FIELD_RE.test(field)) {
          reject(
            `has an invalid field name ${JSON.stringify(field)}`,
            'list top-level Avro field names ([A-Za-z_][A-Za-z0-9_]*), comma-separated',
          );
        }
      }
      return [...new Set(fields)];
    }),
};

/**
 * A name with `${topic}` in it, rendered per topic (see templates.ts). Untrimmed: a stray space would end
 * up in every table name or group id it gives, so it is refused, not dropped.
 */
export const topicTemplate: ValueType<string> = {
  verbatim: true,
  schema: (example) =>
    parsedBy((value) => {
      const problem = templateProblem(value);
      if (problem === undefined) return value;
      const trimmed = value.trim();
      const fix =
        trimmed !== value && trimmed !== ''
          ? `remove the surrounding whitespace: ${JSON.stringify(trimmed)}`
          : `use \${topic} for the topic name, e.g. ${example}`;
      return reject(problem, fix);
    }),
};

/** A plain table name, usable unquoted in any statement. */
export const tableName: ValueType<string> = {
  schema: () =>
    parsedBy((value) => {
      if (!TABLE_RE.test(value)) reject('is not a plain table name', 'use 1 to 64 characters from a-z A-Z 0-9 _ $');
      return value;
    }),
};

/**
 * Column type for strings, normalised to upper case without spaces (`VARCHAR(255)`). VARCHAR is capped at
 * 16383, the most utf8mb4 characters that fit MySQL's 65535-byte row limit.
 */
export const stringColumnType: ValueType<string> = {
  schema: () =>
    parsedBy((value) => {
      const fix =
        'set VARCHAR(n) with n from 1 to 16383, CHAR(n) with n from 1 to 255, TINYTEXT, TEXT, MEDIUMTEXT or LONGTEXT';
      const normal = value.toUpperCase().replace(/\s+/g, '');
      if (/^(?:TINY|MEDIUM|LONG)?TEXT$/.test(normal)) return normal;
      const m = /^(VARCHAR|CHAR)\((\d{1,5})\)$/.exec(normal);
      if (m === null) return reject('is not a supported string column type', fix);
      const length = Number(m[2]);
      const max = m[1] === 'CHAR' ? 255 : 16383;
      if (length < 1 || length > max) reject('has a length out of range', fix);
      return `${m[1]}(${length})`;
    }),
};

/** Any column type of the DDL allow-list (sql-column-type.ts), normalised: `decimal(10, 2)` → `DECIMAL(10,2)`. */
export const columnType: ValueType<string> = {
  schema: () =>
    parsedBy((value) => {
      const parsed = parseColumnType(value);
      if ('problem' in parsed)
        return reject(`is not a supported column type (${parsed.problem})`, `set one of ${ALLOWED_COLUMN_TYPES}`);
      return parsed.type;
    }),
};

/** The change-event fields `sink.cdc.columns` can add as columns (debezium-envelope.ts maps each to one). */
export const CDC_COLUMNS = ['op', 'source.ts_ms', 'ts_ms'] as const;
export type CdcColumn = (typeof CDC_COLUMNS)[number];

/** Change columns of a Debezium envelope to store, comma-separated, once each. Empty is allowed. */
export const cdcColumnList: ValueType<readonly CdcColumn[]> = {
  schema: () =>
    parsedBy((value) => {
      const names = splitList(value);
      for (const name of names) {
        if (!(CDC_COLUMNS as readonly string[]).includes(name)) {
          reject(`has an unknown change column ${JSON.stringify(name)}`, `list some of ${CDC_COLUMNS.join(', ')}`);
        }
      }
      return [...new Set(names)] as CdcColumn[];
    }),
};

/** Confluent's subject name strategies, by their class names. */
export const SUBJECT_NAME_STRATEGIES = ['TopicNameStrategy', 'RecordNameStrategy', 'TopicRecordNameStrategy'] as const;
export type SubjectNameStrategy = (typeof SUBJECT_NAME_STRATEGIES)[number];
const CONFLUENT_STRATEGY_PACKAGE = 'io.confluent.kafka.serializers.subject.';

/** A subject name strategy, as Confluent's serializers are configured: the class name, short or qualified. */
export const subjectNameStrategy: ValueType<SubjectNameStrategy> = {
  schema: () =>
    parsedBy((value) => {
      const short = value.startsWith(CONFLUENT_STRATEGY_PACKAGE)
        ? value.slice(CONFLUENT_STRATEGY_PACKAGE.length)
        : value;
      const found = SUBJECT_NAME_STRATEGIES.find((name) => name.toLowerCase() === short.toLowerCase());
      if (found === undefined)
        reject('is not a subject name strategy', `set one of ${SUBJECT_NAME_STRATEGIES.join(', ')}`);
      return found;
    }),
};

const INSTANCE_ID_RE = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * `kafka.group.instance.id`: `auto` (a stable id per host and slot, see src/kafka/instance-slot.ts),
 * `none` (dynamic membership), or an id of the operator's (e.g. a StatefulSet pod name).
 */
export const groupInstanceId: ValueType<string> = {
  schema: () =>
    parsedBy((value) => {
      const lower = value.toLowerCase();
      if (lower === 'auto' || lower === 'none') return lower;
      if (!INSTANCE_ID_RE.test(value))
        reject(
          'is not a usable group instance id',
          'set auto, none, or 1 to 200 characters from a-z A-Z 0-9 . _ - (unique per instance)',
        );
      return value;
    }),
};
