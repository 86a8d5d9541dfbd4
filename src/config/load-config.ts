/**
 * Loads the config: defaults < properties file < `KMS_*` environment < `--set key=value` overrides.
 * Only the effective value of each key is validated (a bad file value overridden by the environment is
 * fine), but an unknown key is an error wherever it appears. All problems are collected; the error
 * carries the first one, as one line, and how many more there are.
 */
import { readFileSync } from 'node:fs';
import { SinkError, isSinkError } from '../core/errors.ts';
import type { MysqlEndpoint } from './jdbc-url.ts';
import { formatProblem, oneLine, redactUrl } from './messages.ts';
import { parsePropertyEntries } from './properties.ts';
import { isSecretName } from './redact.ts';
import {
  CONFIG_KEYS,
  CONSUMER_PASSTHROUGH_PREFIX,
  KEY_SPECS,
  envAliasesFor,
  envVarFor,
  type ErrorTolerance,
  type InsertMode,
  type LogLevel,
  type SinkConfig,
} from './schema.ts';
import { suggestKey } from './suggest.ts';
import { groupIdProblem, renderTemplate, tableNameProblem } from './templates.ts';
import { parseValue, type ConfigValue } from './values.ts';

export interface LoadConfigOptions {
  /** Properties file to read. Omitted: defaults, environment and overrides only. */
  readonly file?: string;
  /** Properties text used instead of reading `file` (tests, stdin); `file`, if given, names it in errors. */
  readonly text?: string;
  /** Environment to read `KMS_*` keys from; default `process.env`. Unrelated `KMS_*` names are ignored. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `key=value` strings, as from repeated `--set key=value` flags; later ones win. */
  readonly overrides?: readonly string[];
}

interface RawValue {
  readonly value: string;
  readonly source: string;
}

/** librdkafka properties the sink sets itself; overriding them would break it or duplicate a key. */
const MANAGED_CONSUMER_PROPERTIES: Readonly<Record<string, string>> = {
  'bootstrap.servers': 'set kafka.bootstrap.servers instead',
  'group.id': 'set kafka.group.id.template instead',
  'client.id': 'set kafka.client.id instead',
  'session.timeout.ms': 'set kafka.session.timeout.ms instead',
  'fetch.max.bytes': 'set kafka.fetch.max.bytes instead',
  'enable.auto.commit': 'remove it: offsets are committed to MySQL with the rows, Kafka auto-commit must stay off',
  'enable.auto.offset.store':
    'remove it: offsets are committed to MySQL with the rows, Kafka auto-commit must stay off',
  'partition.assignment.strategy': 'remove it: the sink relies on cooperative-sticky incremental assignment',
};
const CONSUMER_PROPERTY_RE = /^[a-z0-9]+(?:\.[a-z0-9]+)*$/;

export function loadConfig(options: LoadConfigOptions = {}): SinkConfig {
  const problems: string[] = [];
  const collect = (action: () => void): void => {
    try {
      action();
    } catch (error) {
      if (!isSinkError(error, 'CONFIG_INVALID')) throw error;
      problems.push(error.message);
    }
  };

  const effective = new Map<string, RawValue>(
    CONFIG_KEYS.map((spec) => [spec.key, { value: spec.default, source: 'default' }]),
  );
  const passthrough = new Map<string, RawValue>();
  const set = (key: string, value: string, source: string): void => {
    if (KEY_SPECS.has(key)) effective.set(key, { value, source });
    else if (key.startsWith(CONSUMER_PASSTHROUGH_PREFIX))
      passthrough.set(key.slice(CONSUMER_PASSTHROUGH_PREFIX.length), { value, source });
    else problems.push(unknownKey(key, source));
  };

  collect(() => {
    const fileName = options.file ?? 'properties';
    const text = options.text ?? (options.file === undefined ? '' : readConfigFile(options.file));
    for (const entry of parsePropertyEntries(text, fileName).values())
      set(entry.key, entry.value, `${fileName}:${entry.line}`);
  });
  readEnvironment(options.env ?? process.env, set, problems);
  for (const override of options.overrides ?? []) {
    const eq = override.indexOf('=');
    const key = override.slice(0, Math.max(eq, 0)).trim();
    if (eq < 0 || key === '') {
      // Without a key the text may be a bare password: show it only when there is no `=` at all.
      const shown = eq < 0 ? ` ${JSON.stringify(override)}` : '';
      problems.push(
        oneLine(`flag --set${shown} is not key=value; write --set key=value, e.g. --set max.poll.records=500`),
      );
      continue;
    }
    set(key, override.slice(eq + 1), '--set');
  }

  const values = new Map<string, ConfigValue>();
  for (const spec of CONFIG_KEYS) {
    const raw = effective.get(spec.key) as RawValue;
    collect(() => values.set(spec.key, parseValue(spec, raw.value, raw.source)));
  }
  const consumerProperties = checkPassthrough(passthrough, problems);
  if (problems.length === 0) crossCheck(values, effective, problems);
  if (problems.length > 0) {
    const more =
      problems.length > 1 ? ` (and ${problems.length - 1} more config problem${problems.length > 2 ? 's' : ''})` : '';
    throw new SinkError('CONFIG_INVALID', `${problems[0]}${more}`);
  }

  const origins: Record<string, string> = {};
  for (const [key, raw] of effective) origins[key] = raw.source;
  for (const [name, raw] of passthrough) origins[CONSUMER_PASSTHROUGH_PREFIX + name] = raw.source;
  return deepFreeze(build(values, effective, consumerProperties, origins));
}

function readConfigFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`;
    throw new SinkError(
      'CONFIG_INVALID',
      oneLine(
        `config file ${JSON.stringify(file)} ${problem}; pass a readable properties file, e.g. config/sink.properties`,
      ),
    );
  }
}

function unknownKey(key: string, source: string): string {
  const suggestion = suggestKey(key, [...KEY_SPECS.keys()]);
  const fix =
    suggestion === undefined
      ? 'remove it (the accepted keys are listed in config/sink.properties)'
      : `did you mean ${JSON.stringify(suggestion)}?`;
  return oneLine(`unknown config key ${JSON.stringify(key)} (from ${source}); ${fix}`);
}

/** Only names that are config keys are read: KMS_ROOT, KMS_NODE_VERSION and the like belong to others. */
function readEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  set: (key: string, value: string, source: string) => void,
  problems: string[],
): void {
  for (const spec of CONFIG_KEYS) {
    const present = [envVarFor(spec.key), ...envAliasesFor(spec.key)].filter((name) => env[name] !== undefined);
    const [first, ...others] = present;
    if (first === undefined) continue;
    const value = env[first] as string;
    const conflicting = others.find((name) => env[name] !== value);
    if (conflicting !== undefined) {
      problems.push(
        formatProblem({
          key: spec.key,
          source: `environment variables ${first} and ${conflicting}`,
          problem: 'is set twice with different values',
          fix: `unset one of ${first} and ${conflicting}`,
        }),
      );
      continue;
    }
    set(spec.key, value, `environment variable ${first}`);
  }
}

function checkPassthrough(passthrough: ReadonlyMap<string, RawValue>, problems: string[]): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [name, raw] of passthrough) {
    const key = CONSUMER_PASSTHROUGH_PREFIX + name;
    const secret = isSecretName(name);
    if (!CONSUMER_PROPERTY_RE.test(name)) {
      // The value is not shown: with a mangled name we cannot tell whether it is a credential.
      problems.push(
        formatProblem({
          key,
          source: raw.source,
          problem: 'does not name a librdkafka property',
          fix: `write ${CONSUMER_PASSTHROUGH_PREFIX}<property>, e.g. ${CONSUMER_PASSTHROUGH_PREFIX}auto.offset.reset=earliest`,
        }),
      );
      continue;
    }
    const managed = MANAGED_CONSUMER_PROPERTIES[name];
    if (managed !== undefined) {
      problems.push(
        formatProblem({
          key,
          value: raw.value,
          secret,
          source: raw.source,
          problem: 'overrides a property the sink manages',
          fix: managed,
        }),
      );
      continue;
    }
    properties[name] = secret ? raw.value : raw.value.trim();
  }
  return properties;
}

function crossCheck(
  values: ReadonlyMap<string, ConfigValue>,
  effective: ReadonlyMap<string, RawValue>,
  problems: string[],
): void {
  const raw = (key: string): RawValue => effective.get(key) as RawValue;
  const list = (key: string): readonly string[] => values.get(key) as readonly string[];
  const num = (key: string): number => values.get(key) as number;
  const at = (key: string): string => `${key} (from ${raw(key).source})`;

  if (list('sink.fields.include').length > 0 && list('sink.fields.exclude').length > 0) {
    problems.push(
      `config keys ${at('sink.fields.include')} and ${at('sink.fields.exclude')} are both set; set only one of them`,
    );
  }
  const pk = list('sink.pk.fields');
  const include = list('sink.fields.include');
  const dropped = pk.filter((field) =>
    include.length > 0 ? !include.includes(field) : list('sink.fields.exclude').includes(field),
  );
  if (dropped.length > 0) {
    problems.push(
      `config key ${at('sink.pk.fields')} names ${dropped.map((f) => JSON.stringify(f)).join(', ')}, which ${at(include.length > 0 ? 'sink.fields.include' : 'sink.fields.exclude')} leaves out of the table; keep key fields in the table`,
    );
  }
  const mode = values.get('sink.insert.mode') as string;
  if (mode !== 'insert' && pk.length === 0 && values.get('sink.provenance.columns') === false) {
    problems.push(
      `config key ${at('sink.insert.mode')} = ${mode} needs a key to match rows on, and there is none; set sink.pk.fields or sink.provenance.columns=true`,
    );
  }
  const retryMax = num('sink.retry.max.ms');
  if (retryMax > 0 && num('sink.retry.initial.ms') > retryMax) {
    const r = raw('sink.retry.initial.ms');
    problems.push(
      formatProblem({
        key: 'sink.retry.initial.ms',
        value: r.value,
        source: r.source,
        problem: `is larger than sink.retry.max.ms (${retryMax})`,
        fix: 'set it at most sink.retry.max.ms',
      }),
    );
  }

  // Table names compare case-insensitively: on case-insensitive file systems MySQL folds them.
  const tableKey = 'sink.table.template';
  const template = values.get(tableKey) as string;
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
        ? 'include ${topic} in sink.table.template so each topic gets its own table'
        : 'rename that table or change sink.table.template';
    problems.push(oneLine(`config: ${owner} and ${previous.owner} both use table ${JSON.stringify(table)}; ${fix}`));
  };
  reserve(values.get('sink.offsets.table') as string, at('sink.offsets.table'), false);
  reserve(values.get('sink.deadletter.table') as string, at('sink.deadletter.table'), false);
  const groupKey = 'kafka.group.id.template';
  for (const topic of list('kafka.topics')) {
    const groupProblem = groupIdProblem(renderTemplate(values.get(groupKey) as string, topic));
    if (groupProblem !== undefined) {
      problems.push(
        formatProblem({
          key: groupKey,
          value: values.get(groupKey) as string,
          source: raw(groupKey).source,
          problem: `${groupProblem} for topic ${JSON.stringify(topic)}`,
          fix: `set a shorter template, e.g. ${KEY_SPECS.get(groupKey)!.default}`,
        }),
      );
    }
    const table = renderTemplate(template, topic);
    const problem = tableNameProblem(table);
    if (problem !== undefined) {
      problems.push(
        formatProblem({
          key: tableKey,
          value: template,
          source: raw(tableKey).source,
          problem: `${problem} for topic ${JSON.stringify(topic)}`,
          fix: 'set a template giving 1 to 64 characters, e.g. ${topic}',
        }),
      );
      continue;
    }
    reserve(table, `topic ${JSON.stringify(topic)} via ${at(tableKey)}`, true);
  }
}

function build(
  values: ReadonlyMap<string, ConfigValue>,
  effective: ReadonlyMap<string, RawValue>,
  consumerProperties: Record<string, string>,
  origins: Record<string, string>,
): SinkConfig {
  const str = (key: string): string => values.get(key) as string;
  const num = (key: string): number => values.get(key) as number;
  const bool = (key: string): boolean => values.get(key) as boolean;
  const list = (key: string): readonly string[] => values.get(key) as readonly string[];
  // An explicitly set mysql.username / mysql.password beats credentials in the URL; the URL's beat defaults.
  const explicit = (key: string): boolean => effective.get(key)?.source !== 'default';
  const endpoint = values.get('mysql.url') as MysqlEndpoint;
  const queueSize = num('blocking.queue.size');
  const lowWatermark = num('sink.queue.low.watermark');

  return {
    kafka: {
      bootstrapServers: list('kafka.bootstrap.servers'),
      topics: list('kafka.topics'),
      schemaRegistryUrl: str('kafka.schema.registry.url'),
      groupIdTemplate: str('kafka.group.id.template'),
      clientId: str('kafka.client.id'),
      sessionTimeoutMs: num('kafka.session.timeout.ms'),
      fetchMaxBytes: num('kafka.fetch.max.bytes'),
      offsetHintIntervalMs: num('kafka.offset.hint.interval.ms'),
      consumerProperties,
    },
    backpressure: {
      maxPollRecords: num('max.poll.records'),
      pollIntervalMs: num('poll.interval.ms'),
      queueSize,
      lowWatermark,
      resumeAt: Math.floor(queueSize * lowWatermark),
    },
    mysql: {
      host: endpoint.host,
      port: endpoint.port,
      database: endpoint.database,
      user: explicit('mysql.username') ? str('mysql.username') : (endpoint.user ?? str('mysql.username')),
      password: explicit('mysql.password') ? str('mysql.password') : (endpoint.password ?? str('mysql.password')),
      params: endpoint.params,
      poolSize: num('mysql.maxPoolSize'),
      url: redactUrl((effective.get('mysql.url') as RawValue).value.trim()),
    },
    sink: {
      tableTemplate: str('sink.table.template'),
      batchMaxRecords: num('sink.batch.max.records'),
      batchLingerMs: num('sink.batch.linger.ms'),
      insertMode: str('sink.insert.mode') as InsertMode,
      provenanceColumns: bool('sink.provenance.columns'),
      stringType: str('sink.string.type'),
      autoCreate: bool('sink.auto.create'),
      autoEvolve: bool('sink.auto.evolve'),
      fieldsInclude: list('sink.fields.include'),
      fieldsExclude: list('sink.fields.exclude'),
      pkFields: list('sink.pk.fields'),
      offsetsTable: str('sink.offsets.table'),
      deadLetterTable: str('sink.deadletter.table'),
      retryMaxMs: num('sink.retry.max.ms'),
      retryInitialMs: num('sink.retry.initial.ms'),
    },
    errors: { tolerance: str('errors.tolerance') as ErrorTolerance },
    status: { host: str('status.host'), port: num('status.port') },
    log: { level: str('log.level') as LogLevel },
    origins,
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
