/**
 * Gathers the text of every key from its layers: defaults < properties file < `KMS_*` environment <
 * `--set key=value`. Nothing is parsed here, so a bad file value overridden later is no problem; an unknown
 * key is one wherever it appears.
 */
import { readFileSync } from 'node:fs';
import { SinkError, isSinkError } from '../core/errors.ts';
import type { DeclaredEntry, KeyDeclaration, PrefixDeclaration } from './declare-keys.ts';
import { envAliasesFor, envVarFor } from './env-names.ts';
import { formatProblem, oneLine } from './messages.ts';
import { parsePropertyEntries } from './properties.ts';
import { suggestKey } from './suggest.ts';

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

export interface RawValue {
  readonly text: string;
  readonly source: string;
}

export interface Layers {
  /** The effective text of every declared key, by key name. */
  readonly keys: ReadonlyMap<string, RawValue>;
  /** The texts of prefixed keys, per prefix, by the name after the prefix. */
  readonly prefixed: ReadonlyMap<PrefixDeclaration, ReadonlyMap<string, RawValue>>;
  /** Unknown keys, unreadable files, malformed flags: one-line messages. */
  readonly problems: readonly string[];
}

export function gatherLayers(entries: readonly DeclaredEntry[], options: LoadConfigOptions): Layers {
  const problems: string[] = [];
  const declared = new Map<string, KeyDeclaration>();
  const keys = new Map<string, RawValue>();
  const prefixed = new Map<PrefixDeclaration, Map<string, RawValue>>();
  for (const { declaration } of entries) {
    if (declaration.kind === 'key') {
      declared.set(declaration.name, declaration);
      keys.set(declaration.name, { text: declaration.default, source: 'default' });
    } else prefixed.set(declaration, new Map());
  }
  const set = (key: string, text: string, source: string): void => {
    if (declared.has(key)) {
      keys.set(key, { text, source });
      return;
    }
    for (const [prefix, values] of prefixed) {
      if (key.startsWith(prefix.prefix)) {
        values.set(key.slice(prefix.prefix.length), { text, source });
        return;
      }
    }
    problems.push(unknownKey(key, source, [...declared.keys()]));
  };

  try {
    const fileName = options.file ?? 'properties';
    const text = options.text ?? (options.file === undefined ? '' : readConfigFile(options.file));
    for (const entry of parsePropertyEntries(text, fileName).values())
      set(entry.key, entry.value, `${fileName}:${entry.line}`);
  } catch (error) {
    if (!isSinkError(error, 'CONFIG_INVALID')) throw error;
    problems.push(error.message);
  }
  readEnvironment(options.env ?? process.env, [...declared.keys()], set, problems);
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
  return { keys, prefixed, problems };
}

function readConfigFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    const problem = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`;
    throw new SinkError(
      'CONFIG_INVALID',
      oneLine(
        `config file ${JSON.stringify(file)} ${problem}; pass a readable properties file, e.g. config/sink.properties`,
      ),
    );
  }
}

function unknownKey(key: string, source: string, known: readonly string[]): string {
  const suggestion = suggestKey(key, known);
  const fix =
    suggestion === undefined
      ? 'remove it (the accepted keys are listed in config/sink.properties)'
      : `did you mean ${JSON.stringify(suggestion)}?`;
  return oneLine(`unknown config key ${JSON.stringify(key)} (from ${source}); ${fix}`);
}

/** Only names that are config keys are read: KMS_ROOT, KMS_NODE_VERSION and the like belong to others. */
function readEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  keys: readonly string[],
  set: (key: string, value: string, source: string) => void,
  problems: string[],
): void {
  for (const key of keys) {
    const present = [envVarFor(key), ...envAliasesFor(key)].flatMap((name) => {
      const value = env[name];
      return value === undefined ? [] : [{ name, value }];
    });
    const [first, ...others] = present;
    if (first === undefined) continue;
    const conflicting = others.find((other) => other.value !== first.value);
    if (conflicting !== undefined) {
      problems.push(
        formatProblem({
          key,
          source: `environment variables ${first.name} and ${conflicting.name}`,
          problem: 'is set twice with different values',
          fix: `unset one of ${first.name} and ${conflicting.name}`,
        }),
      );
      continue;
    }
    set(key, first.value, `environment variable ${first.name}`);
  }
}
