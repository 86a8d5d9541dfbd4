/** Turns one raw config string into its typed value, or throws a one-line CONFIG_INVALID error. */
import { parseJdbcUrl, type MysqlEndpoint } from './jdbc-url.ts';
import { configError, redactUrl } from './messages.ts';
import type { KeySpec } from './schema.ts';
import { templateProblem } from './templates.ts';

export type ConfigValue = string | number | boolean | readonly string[] | MysqlEndpoint;

const TOPIC_RE = /^[A-Za-z0-9._-]{1,249}$/;
const SERVER_RE = /^(?:[A-Za-z][A-Za-z0-9_+.-]*:\/\/)?(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/;
const FIELD_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TABLE_RE = /^[A-Za-z0-9_$]{1,64}$/;
const HOST_RE = /^(?:[A-Za-z0-9._-]+|\[?[0-9A-Fa-f:.]+(?:%[A-Za-z0-9._-]+)?\]?)$/;
const BOOLEANS: Readonly<Record<string, boolean>> = {
  true: true,
  false: false,
  yes: true,
  no: false,
  on: true,
  off: false,
  '1': true,
  '0': false,
};

/** Comma list, items trimmed, empty items (`a,,b`, trailing comma) dropped. */
export function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function range(spec: KeySpec): string {
  return `from ${spec.min ?? 0} to ${spec.max ?? Number.MAX_SAFE_INTEGER}`;
}

export function parseValue(spec: KeySpec, raw: string, source: string): ConfigValue {
  // Passwords are taken verbatim (a trailing space may be part of one); everything else is trimmed.
  const value = spec.kind === 'secret' ? raw : raw.trim();
  const fail = (problem: string, fix: string, shown: string = value): never => {
    throw configError({ key: spec.key, value: shown, secret: spec.kind === 'secret', source, problem, fix });
  };

  switch (spec.kind) {
    case 'secret':
      return value;
    case 'string':
      if (value === '') fail('is empty', `set a value (default: ${spec.default})`);
      return value;
    case 'integer': {
      if (!/^[+-]?\d+$/.test(value)) fail('is not a whole number', `set a whole number ${range(spec)}`);
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < (spec.min ?? 0) || n > (spec.max ?? Number.MAX_SAFE_INTEGER)) {
        fail('is out of range', `set a whole number ${range(spec)}`);
      }
      return n;
    }
    case 'fraction': {
      if (!/^(?:\d+\.?\d*|\.\d+)$/.test(value)) fail('is not a number', `set a fraction ${range(spec)}, e.g. 0.5`);
      const n = Number(value);
      if (n < (spec.min ?? 0) || n > (spec.max ?? 1))
        fail('is out of range', `set a fraction ${range(spec)}, e.g. 0.5`);
      return n;
    }
    case 'boolean': {
      const b = BOOLEANS[value.toLowerCase()];
      if (b === undefined) fail('is not a boolean', 'set true or false');
      return b as boolean;
    }
    case 'enum': {
      const allowed = spec.values ?? [];
      const lower = value.toLowerCase();
      if (!allowed.includes(lower)) fail('is not an allowed value', `set one of ${allowed.join(', ')}`);
      return lower;
    }
    case 'topics': {
      const topics = splitList(value);
      if (topics.length === 0)
        fail('lists no topics', 'set one or more comma-separated topic names, e.g. dataset1,dataset2');
      const seen = new Set<string>();
      for (const topic of topics) {
        if (!TOPIC_RE.test(topic) || topic === '.' || topic === '..') {
          fail(
            `has an invalid topic name ${JSON.stringify(topic)}`,
            'use 1 to 249 characters from a-z A-Z 0-9 . _ - (Kafka topic rules), comma-separated',
          );
        }
        if (seen.has(topic)) fail(`lists topic ${JSON.stringify(topic)} twice`, 'list each topic once');
        seen.add(topic);
      }
      return topics;
    }
    case 'servers': {
      const servers = splitList(value);
      if (servers.length === 0) fail('lists no brokers', 'set comma-separated host:port pairs, e.g. 127.0.0.1:9092');
      for (const server of servers) {
        const m = SERVER_RE.exec(server);
        const port = m?.[1] === undefined ? 9092 : Number(m[1]);
        if (m === null || port < 1 || port > 65535) {
          fail(
            `has an invalid broker address ${JSON.stringify(server)}`,
            'set comma-separated host:port pairs, e.g. 127.0.0.1:9092,127.0.0.1:9093',
          );
        }
      }
      return servers;
    }
    case 'http-url': {
      const shown = redactUrl(value);
      let url: URL | undefined;
      try {
        url = new URL(value);
      } catch {
        url = undefined;
      }
      if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
        fail('is not an http(s) URL', `set a URL like ${spec.default}`, shown);
      }
      // Stored without a trailing slash so callers can append `/subjects/...` paths.
      return value.replace(/\/+$/, '');
    }
    case 'mysql-url':
      return parseJdbcUrl(value, { key: spec.key, source });
    case 'template': {
      const problem = templateProblem(value);
      if (problem !== undefined) fail(problem, `use \${topic} for the topic name, e.g. ${spec.default}`);
      return value;
    }
    case 'sql-string-type':
      return parseStringType(value, fail);
    case 'table':
      if (!TABLE_RE.test(value)) fail('is not a plain table name', 'use 1 to 64 characters from a-z A-Z 0-9 _ $');
      return value;
    case 'fields': {
      const fields = splitList(value);
      for (const field of fields) {
        if (!FIELD_RE.test(field)) {
          fail(
            `has an invalid field name ${JSON.stringify(field)}`,
            'list top-level Avro field names ([A-Za-z_][A-Za-z0-9_]*), comma-separated',
          );
        }
      }
      return [...new Set(fields)];
    }
    case 'host':
      if (!HOST_RE.test(value)) fail('is not a host name or IP address', 'set e.g. 127.0.0.1, 0.0.0.0 or localhost');
      return value.replace(/^\[(.*)\]$/, '$1');
  }
}

/**
 * The string column type ends up in DDL, so only a closed set of spellings is accepted (no free SQL).
 * VARCHAR is capped at 16383, the most utf8mb4 characters that fit MySQL's 65535-byte row limit.
 */
function parseStringType(value: string, fail: (problem: string, fix: string) => never): string {
  const fix = 'set VARCHAR(n) with n from 1 to 16383, CHAR(n) with n from 1 to 255, TEXT, MEDIUMTEXT or LONGTEXT';
  const normal = value.toUpperCase().replace(/\s+/g, '');
  if (/^(?:TINY|MEDIUM|LONG)?TEXT$/.test(normal)) return normal;
  const m = /^(VARCHAR|CHAR)\((\d{1,5})\)$/.exec(normal);
  if (m === null) return fail('is not a supported string column type', fix);
  const length = Number(m[2]);
  const max = m[1] === 'CHAR' ? 255 : 16383;
  if (length < 1 || length > max) return fail('has a length out of range', fix);
  return `${m[1]}(${length})`;
}
