/**
 * The vocabulary of the key declaration (sink-keys.ts). A key is a zod schema from properties text to its
 * value, registered with what the rest of the config module needs to know about it: its name, default,
 * one-line doc, section of the example file, and whether it is a secret. Groups of keys are plain
 * `z.object`s, so the declaration has the loaded config's shape and zod infers its type.
 */
import * as z from 'zod';
import { REDACTED } from './secrets.ts';
import type { ValueType } from './value-types.ts';

/** A heading of config/sink.properties. Seed sections hold the seed's own keys, set rather than commented out. */
export interface Section {
  readonly title: string;
  readonly seed: boolean;
}

export const seedSection = (title: string): Section => Object.freeze({ title, seed: true });
export const ownSection = (title: string): Section => Object.freeze({ title, seed: false });

interface Documented {
  readonly section: Section;
  /** One line for config/sink.properties. */
  readonly doc: string;
}

export interface KeyOptions extends Documented {
  /** The default as properties text: it goes through the same parsing and checks as user input. */
  readonly default: string;
  /** A credential: taken verbatim (untrimmed), never shown in messages, `***` in the redacted config. */
  readonly secret?: boolean;
}

export interface KeyDeclaration extends KeyOptions {
  readonly kind: 'key';
  readonly name: string;
  readonly secret: boolean;
  /** Taken untrimmed (secrets, and kinds that refuse surrounding whitespace themselves). */
  readonly verbatim: boolean;
  /** How to show this key's text: hides credentials embedded in it (URLs); secrets are hidden whole. */
  readonly redactText: (text: string) => string;
}

export interface PrefixOptions extends Documented {
  /** Shown under the doc line, commented out, and in messages: `{ name: 'auto.offset.reset', value: 'earliest' }`. */
  readonly example: { readonly name: string; readonly value: string };
  /** The names that may follow the prefix; for messages, what such a name is and its placeholder. */
  readonly names: { readonly pattern: RegExp; readonly what: string; readonly placeholder: string };
  /** Names the sink sets itself, each with the fix to show when one is given anyway. */
  readonly reserved?: Readonly<Record<string, string>>;
  /** Which names hold credentials (taken verbatim, hidden, redacted). */
  readonly secretNames?: (name: string) => boolean;
}

/** A family of keys `<prefix><name>=value`, loaded as a record from name to value. */
export interface PrefixDeclaration extends PrefixOptions {
  readonly kind: 'prefix';
  readonly prefix: string;
  readonly reserved: Readonly<Record<string, string>>;
  readonly secretNames: (name: string) => boolean;
}

export type Declaration = KeyDeclaration | PrefixDeclaration;

/** Declarations by schema (a WeakMap, not a zod registry: zod's registry rewrites the metadata type). */
const DECLARATIONS = new WeakMap<z.ZodType, Declaration>();

export function key<T>(name: string, type: ValueType<T>, options: KeyOptions): z.ZodType<T, string> {
  const schema = type.schema(options.default);
  if (options.secret === true) mustAcceptMask(schema, name);
  DECLARATIONS.set(schema, {
    ...options,
    kind: 'key',
    name,
    secret: options.secret ?? false,
    verbatim: options.secret === true || type.verbatim === true,
    redactText: type.redactText ?? ((text: string) => text),
  });
  return schema;
}

export function prefixed<T>(prefix: string, type: ValueType<T>, options: PrefixOptions) {
  const value = type.schema(options.example.value);
  if (options.secretNames !== undefined) mustAcceptMask(value, `${prefix}*`);
  const schema = z.record(z.string(), value);
  DECLARATIONS.set(schema, {
    ...options,
    kind: 'prefix',
    prefix,
    reserved: options.reserved ?? {},
    secretNames: options.secretNames ?? (() => false),
  });
  return schema;
}

/** The redacted copy of a config is loaded from texts with every secret replaced by the mask. */
function mustAcceptMask(schema: z.ZodType, name: string): void {
  if (!schema.safeParse(REDACTED).success)
    throw new Error(`config key ${name} is secret, so its value kind must accept "${REDACTED}" (the redacted copy)`);
}

/** A declared key or prefix, with its field path in the loaded config (`['mysql', 'password']`). */
export interface DeclaredEntry {
  readonly path: readonly string[];
  readonly declaration: Declaration;
}

/** Every key and prefix of a declaration, in declaration order. */
export function declaredEntries(group: z.ZodObject): DeclaredEntry[] {
  const entries: DeclaredEntry[] = [];
  for (const [field, child] of Object.entries(group.shape)) {
    const declaration = DECLARATIONS.get(child);
    if (declaration !== undefined) entries.push({ path: [field], declaration });
    else if (child instanceof z.ZodObject)
      for (const entry of declaredEntries(child)) entries.push({ ...entry, path: [field, ...entry.path] });
    else throw new Error(`config field ${field} is neither a key (key(), prefixed()) nor a group (z.object)`);
  }
  return entries;
}

/** The entries in the order of the example file: by section, in declaration order within one. */
export function entriesInFileOrder(group: z.ZodObject, sections: readonly Section[]): readonly DeclaredEntry[] {
  const entries = declaredEntries(group);
  for (const { declaration: d } of entries) {
    if (!sections.includes(d.section)) {
      const name = d.kind === 'key' ? d.name : `${d.prefix}*`;
      throw new Error(`config key ${name}: its section "${d.section.title}" is not listed in the sections`);
    }
  }
  return Object.freeze(sections.flatMap((section) => entries.filter((e) => e.declaration.section === section)));
}

/** The declaration of one key's schema, for code that refers to keys by their place in the declaration. */
export function declarationOf(schema: z.ZodType): KeyDeclaration {
  const declaration = DECLARATIONS.get(schema);
  if (declaration?.kind !== 'key') throw new Error('not a schema made by key()');
  return declaration;
}
