/**
 * Loads a config from a key declaration: gathers each key's text from its layers (config-layers.ts),
 * parses every key with its declared schema in one zod pass, runs the checks that span keys, and derives
 * the loaded config. All problems are collected; the error carries the first one (in file order), as one
 * line, and how many more there are. Generic over the declaration so that its behaviour can be tested on
 * small ones; load-config.ts binds it to the sink's.
 */
import type * as z from 'zod';
import { SinkError } from '../core/errors.ts';
import { gatherLayers, type Layers, type LoadConfigOptions, type RawValue } from './config-layers.ts';
import {
  declarationOf,
  entriesInFileOrder,
  type DeclaredEntry,
  type PrefixDeclaration,
  type Section,
} from './declare-keys.ts';
import { formatProblem } from './messages.ts';
import { formatProperty } from './properties.ts';
import { REDACTED } from './secrets.ts';

/** Where each effective value came from, by key: `default`, `<file>:<line>`, `environment variable KMS_X`, `--set`. */
export type Origins = Readonly<Record<string, string>>;

/** What checks across keys may say about a key, found by its schema in the declaration. */
export interface KeyLookup {
  /** `name (from source)`, for problems about several keys. */
  at(schema: z.ZodType): string;
  /** A one-line problem about the key's value, shown the way every value is (a secret as `<hidden>`). */
  problem(schema: z.ZodType, problem: string, fix: string): string;
  /** Whether the key was given (file, environment, `--set`) rather than left at its default. */
  isSet(schema: z.ZodType): boolean;
}

export interface ConfigDeclaration<S extends z.ZodObject, C extends object> {
  /** Groups (`z.object`) of keys (`key()`, `prefixed()`), in the shape of the loaded config. */
  readonly keys: S;
  /** The sections of the example file, in order; every key names one of them. */
  readonly sections: readonly Section[];
  /** Problems that involve several keys, each one line; runs only when every key parsed. */
  readonly check?: (values: z.output<S>, lookup: KeyLookup) => readonly string[];
  /** The loaded config from the parsed values: derived values are added here. */
  readonly derive: (values: z.output<S>, origins: Origins) => C;
}

export type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export interface ConfigLoader<C extends object> {
  /** Every declared key and prefix, in file order. */
  readonly entries: readonly DeclaredEntry[];
  /** The config, deeply frozen. Throws SinkError CONFIG_INVALID (one line) on any problem. */
  load(options?: LoadConfigOptions): DeepReadonly<C>;
  /** A plain, unfrozen, JSON-serialisable copy of a loaded config in which every credential reads `***`. */
  redact(config: DeepReadonly<C>): DeepReadonly<C>;
}

/** One key's text as its schema sees it, and as messages and the redacted copy may show it. */
interface KeyText {
  readonly entry: DeclaredEntry;
  /** The full key, `kafka.consumer.sasl.password` for a prefixed one. */
  readonly key: string;
  readonly raw: RawValue;
  /** Trimmed, except secrets: a trailing space may be part of a password. */
  readonly text: string;
  readonly secret: boolean;
  /** The text with credentials embedded in it masked (URLs); secrets are hidden whole instead. */
  readonly shown: string;
}

export function configLoader<S extends z.ZodObject, C extends object>(
  declaration: ConfigDeclaration<S, C>,
): ConfigLoader<C> {
  const entries = entriesInFileOrder(declaration.keys, declaration.sections);
  /**
   * Redaction does not walk the loaded config for fields that look secret: each load also loads the
   * config from texts with every secret replaced by `***` and credentials cut out of URLs, and keeps that
   * copy. Whatever is derived from those texts (a merged password, a display URL) can hold no secret.
   */
  const redactedCopies = new WeakMap<DeepReadonly<C>, DeepReadonly<C>>();

  const parse = (texts: readonly KeyText[], show: (t: KeyText) => string) =>
    declaration.keys.safeParse(
      nest(
        entries,
        texts.map((t) => [pathOf(t), show(t)]),
      ),
    );

  const load = (options: LoadConfigOptions = {}): DeepReadonly<C> => {
    const layers = gatherLayers(entries, options);
    const problems = [...layers.problems];
    const { texts, nameProblems } = keyTexts(entries, layers);
    const parsed = parse(texts, (t) => t.text);
    if (!parsed.success) problems.push(...issueProblems(parsed.error.issues, texts));
    problems.push(...nameProblems);
    if (parsed.success && problems.length === 0 && declaration.check !== undefined)
      problems.push(...declaration.check(parsed.data, lookupIn(texts)));
    if (!parsed.success || problems.length > 0) {
      const count = problems.length;
      const more = count > 1 ? ` (and ${count - 1} more config problem${count > 2 ? 's' : ''})` : '';
      throw new SinkError('CONFIG_INVALID', `${problems[0] ?? 'config is invalid'}${more}`);
    }

    const origins: Origins = Object.fromEntries(texts.map((t) => [t.key, t.raw.source]));
    const config = deepFreeze(declaration.derive(parsed.data, origins));
    const redacted = parse(texts, (t) => (t.secret ? REDACTED : t.shown));
    // Cannot fail for a secret (key() checks that its kind takes the mask); a URL that parses does so masked.
    if (!redacted.success) throw new Error(`config: the redacted copy does not load: ${redacted.error.message}`);
    redactedCopies.set(config, deepFreeze(declaration.derive(redacted.data, origins)));
    return config;
  };

  const redact = (config: DeepReadonly<C>): DeepReadonly<C> => {
    const copy = redactedCopies.get(config);
    // A hand-made or spread copy has no redacted twin; failing beats guessing which fields are secret.
    if (copy === undefined) throw new Error('redactConfig takes a config returned by loadConfig, not a copy of one');
    return structuredClone(copy);
  };

  return { entries, load, redact };
}

function keyTexts(entries: readonly DeclaredEntry[], layers: Layers): { texts: KeyText[]; nameProblems: string[] } {
  const texts: KeyText[] = [];
  const nameProblems: string[] = [];
  for (const entry of entries) {
    const { declaration } = entry;
    if (declaration.kind === 'key') {
      const raw = layers.keys.get(declaration.name) ?? { text: declaration.default, source: 'default' };
      const text = declaration.verbatim ? raw.text : raw.text.trim();
      const shown = declaration.redactText(text);
      texts.push({ entry, key: declaration.name, raw, text, secret: declaration.secret, shown });
      continue;
    }
    for (const [name, raw] of layers.prefixed.get(declaration) ?? []) {
      const secret = declaration.secretNames(name);
      const text = secret ? raw.text : raw.text.trim();
      const key = declaration.prefix + name;
      const problem = prefixNameProblem(declaration, name, key, raw, text, secret);
      if (problem !== undefined) nameProblems.push(problem);
      else texts.push({ entry, key, raw, text, secret, shown: text });
    }
  }
  return { texts, nameProblems };
}

function prefixNameProblem(
  declaration: PrefixDeclaration,
  name: string,
  key: string,
  raw: RawValue,
  text: string,
  secret: boolean,
): string | undefined {
  const { prefix, names, example } = declaration;
  if (!names.pattern.test(name)) {
    // The value is not shown: with a mangled name we cannot tell whether it is a credential.
    return formatProblem({
      key,
      source: raw.source,
      problem: `does not name ${names.what}`,
      fix: `write ${prefix}<${names.placeholder}>, e.g. ${formatProperty(prefix + example.name, example.value)}`,
    });
  }
  const reserved = declaration.reserved[name];
  if (reserved === undefined) return undefined;
  return formatProblem({
    key,
    value: text,
    secret,
    source: raw.source,
    problem: 'overrides a property the sink manages',
    fix: reserved,
  });
}

function lookupIn(texts: readonly KeyText[]): KeyLookup {
  const byName = new Map(texts.map((t) => [t.key, t]));
  const find = (schema: z.ZodType): KeyText => {
    const { name } = declarationOf(schema);
    const found = byName.get(name);
    if (found === undefined) throw new Error(`config key ${name} is not part of this declaration`);
    return found;
  };
  return {
    at: (schema) => {
      const t = find(schema);
      return `${t.key} (from ${t.raw.source})`;
    },
    problem: (schema, problem, fix) => {
      const t = find(schema);
      return formatProblem({ key: t.key, value: t.shown, secret: t.secret, source: t.raw.source, problem, fix });
    },
    isSet: (schema) => find(schema).raw.source !== 'default',
  };
}

/** Where a key's text goes in the input of the declaration: its path, plus the name for a prefixed key. */
function pathOf(t: KeyText): readonly string[] {
  const { declaration, path } = t.entry;
  return declaration.kind === 'key' ? path : [...path, t.key.slice(declaration.prefix.length)];
}

/** The nested input object; every prefix gets its record, even an empty one. */
function nest(
  entries: readonly DeclaredEntry[],
  pairs: readonly (readonly [readonly string[], string])[],
): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const groupAt = (path: readonly string[]): Record<string, unknown> => {
    let node = root;
    for (const field of path) {
      const next = node[field];
      if (isRecord(next)) node = next;
      else {
        const created: Record<string, unknown> = {};
        node[field] = created;
        node = created;
      }
    }
    return node;
  };
  for (const { path, declaration } of entries) if (declaration.kind === 'prefix') groupAt(path);
  for (const [path, text] of pairs) groupAt(path.slice(0, -1))[path[path.length - 1] ?? ''] = text;
  return root;
}

/** One problem per key (its first issue), in file order, worded the way every config problem is. */
function issueProblems(issues: readonly z.core.$ZodIssue[], texts: readonly KeyText[]): string[] {
  const byPath = new Map(texts.map((t) => [JSON.stringify(pathOf(t)), t]));
  const firstIssue = new Map<KeyText, string>();
  for (const issue of issues) {
    const t = byPath.get(JSON.stringify(issue.path.map(String)));
    if (t === undefined) throw new Error(`config: an issue at ${issue.path.join('.')} belongs to no key`);
    if (!firstIssue.has(t)) firstIssue.set(t, issue.message);
  }
  // `texts` is in file order; zod reports in the order of the declaration's groups.
  return texts.flatMap((t) => {
    const problem = firstIssue.get(t);
    return problem === undefined
      ? []
      : [formatProblem({ key: t.key, value: t.shown, secret: t.secret, source: t.raw.source, problem })];
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): DeepReadonly<T>;
function deepFreeze(value: unknown): unknown {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
