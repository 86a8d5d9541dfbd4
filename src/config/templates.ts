/**
 * `${topic}` name templates (consumer group per topic, table per topic). Only `${topic}` exists: any other
 * placeholder is a typo that would otherwise end up verbatim in a group id or a table name.
 */
import { SinkError } from '../core/errors.ts';

export const TOPIC_PLACEHOLDER = '${topic}';
const MAX_TABLE_NAME = 64;

/** What is wrong with a template, or undefined if it is usable. */
export function templateProblem(template: string): string | undefined {
  if (template === '') return 'is empty';
  if (template.trim() === '') return 'is only whitespace';
  if (/^\s/.test(template)) return 'starts with whitespace, which would begin every name it gives';
  if (/\s$/.test(template)) return 'ends with whitespace, which would end every name it gives';
  for (let i = template.indexOf('${'); i >= 0; i = template.indexOf('${', i)) {
    const close = template.indexOf('}', i + 2);
    if (close < 0) return 'has an unclosed "${"';
    const name = template.slice(i + 2, close);
    if (name !== 'topic') return `has unknown placeholder "\${${name}}" (only \${topic} is supported)`;
    i = close + 1;
  }
  return undefined;
}

export function renderTemplate(template: string, topic: string): string {
  return template.split(TOPIC_PLACEHOLDER).join(topic);
}

/** What is wrong with a rendered table name, or undefined. Quoting itself is the SQL layer's job. */
export function tableNameProblem(name: string): string | undefined {
  if (name === '') return 'gives an empty table name';
  if (name.length > MAX_TABLE_NAME) return `gives a table name longer than ${MAX_TABLE_NAME} characters`;
  if (/^\s/.test(name)) return 'gives a table name starting with whitespace';
  if (/\s$/.test(name)) return 'gives a table name ending in whitespace';
  if (name.includes('\u0000')) return 'gives a table name containing NUL';
  // Caught here, not at the first batch: the server can not even look such a name up (error 1267).
  if (/[\u{10000}-\u{10FFFF}]/u.test(name))
    return 'gives a table name with a character above U+FFFF (e.g. an emoji), which MySQL/MariaDB names cannot hold';
  return undefined;
}

/** Width of `consumer_group` in kafka_offsets and kafka_dead_letters (VARCHAR(255)). */
export const MAX_GROUP_ID = 255;

/** What is wrong with a rendered consumer group id, or undefined. */
export function groupIdProblem(group: string): string | undefined {
  // Longer ids join Kafka fine but can never be stored with their offsets: every assignment would fail.
  if (group.length > MAX_GROUP_ID)
    return `gives a consumer group id longer than ${MAX_GROUP_ID} characters (the width of kafka_offsets.consumer_group)`;
  return undefined;
}

export function groupIdFor(config: { readonly kafka: { readonly groupIdTemplate: string } }, topic: string): string {
  return renderTemplate(config.kafka.groupIdTemplate, topic);
}

/**
 * Table for a topic. Topics listed in the config were checked at load; any other topic is checked here.
 * This and groupIdFor take only the part of the config they read: the value kinds import this file, and
 * the config type is inferred from them.
 */
export function tableNameFor(config: { readonly sink: { readonly tableTemplate: string } }, topic: string): string {
  const name = renderTemplate(config.sink.tableTemplate, topic);
  const problem = tableNameProblem(name);
  if (problem !== undefined) {
    throw new SinkError(
      'CONFIG_INVALID',
      `config key sink.table.template = ${JSON.stringify(config.sink.tableTemplate)} ${problem} for topic ${JSON.stringify(topic)}; ` +
        `set a template giving 1 to ${MAX_TABLE_NAME} characters, e.g. \${topic} or a shorter prefix`,
    );
  }
  return name;
}
