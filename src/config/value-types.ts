/**
 * Kinds of config values: how properties text becomes a typed value. Each kind is a zod schema from the
 * text to the value, so the loaded config's type is inferred from the key declaration. Every issue a
 * schema raises reads "<what is wrong>; <how to fix it>"; the loader adds the key, value and source.
 */
import { accessSync, constants, type Stats, statSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod';
import { InvalidValue, reject } from './messages.ts';

export interface ValueType<T> {
  /** The schema for one key; `example` is the key's default, which some fixes quote. */
  readonly schema: (example: string) => z.ZodType<T, string>;
  /** Text of this kind can carry credentials (URLs): how to show it in messages and the redacted config. */
  readonly redactText?: (text: string) => string;
  /**
   * Text of this kind is taken untrimmed: surrounding whitespace changes what it gives (a name), so it is
   * refused by the kind rather than silently dropped by the loader.
   */
  readonly verbatim?: boolean;
}

/** An issue message in the shape every config problem has. */
export const issue = (problem: string, fix: string): string => `${problem}; ${fix}`;

/** A schema from a hand-written parser that fails with `reject(problem, fix)` (see messages.ts). */
export function parsedBy<T>(parse: (text: string) => T): z.ZodType<T, string> {
  return z.string().transform((text, context) => {
    try {
      return parse(text);
    } catch (error) {
      if (!(error instanceof InvalidValue)) throw error;
      context.issues.push({ code: 'custom', message: error.message, input: text });
      return z.NEVER;
    }
  });
}

/** Comma list, items trimmed, empty items (`a,,b`, trailing comma) dropped. */
export function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Any text, even empty: secrets (taken verbatim) and pass-through properties. */
export const anyText: ValueType<string> = { schema: () => z.string() };

/** Text that must not be empty. */
export const text: ValueType<string> = {
  schema: (example) => z.string().min(1, issue('is empty', `set a value (default: ${example})`)),
};

export function wholeNumber(min: number, max: number): ValueType<number> {
  const fix = `set a whole number from ${min} to ${max}`;
  return {
    // A regex first: Number() would also take "1e3", "0x10" and "".
    schema: () =>
      z
        .string()
        .regex(/^[+-]?\d+$/, issue('is not a whole number', fix))
        .transform(Number)
        .refine((n) => Number.isSafeInteger(n) && n >= min && n <= max, issue('is out of range', fix)),
  };
}

export function fraction(min: number, max: number): ValueType<number> {
  const fix = `set a fraction from ${min} to ${max}, e.g. 0.5`;
  return {
    schema: () =>
      z
        .string()
        .regex(/^(?:\d+\.?\d*|\.\d+)$/, issue('is not a number', fix))
        .transform(Number)
        .refine((n) => n >= min && n <= max, issue('is out of range', fix)),
  };
}

/** true / false, also yes / no, on / off, 1 / 0, any case. */
export const flag: ValueType<boolean> = {
  schema: () =>
    z.stringbool({
      truthy: ['true', 'yes', 'on', '1'],
      falsy: ['false', 'no', 'off', '0'],
      error: issue('is not a boolean', 'set true or false'),
    }),
};

/** One of a fixed set of words, any case; the loaded value is the lower-case word, typed as the union. */
export function oneOf<const V extends readonly [string, ...string[]]>(values: V): ValueType<V[number]> {
  const fix = `set one of ${values.join(', ')}`;
  return {
    schema: () =>
      z
        .string()
        .toLowerCase()
        .pipe(z.enum(values, { error: issue('is not an allowed value', fix) })),
  };
}

/** Like `oneOf`, but empty text is allowed and loads as '' (unset: another key decides the value). */
export function oneOfOrUnset<const V extends readonly [string, ...string[]]>(values: V): ValueType<V[number] | ''> {
  const fix = `set one of ${values.join(', ')}, or leave it empty`;
  return {
    schema: () =>
      z
        .string()
        .trim()
        .toLowerCase()
        .pipe(z.enum(['', ...values] as [string, ...string[]], { error: issue('is not an allowed value', fix) }))
        .transform((value) => value as V[number] | ''),
  };
}
/**
 * A path to a readable file, or empty for none. Checked when the config loads, so a typo in a certificate
 * path is one line at start-up rather than a TLS failure deep in a connection attempt.
 */
export const optionalFile: ValueType<string | undefined> = {
  schema: () =>
    parsedBy((value) => {
      if (value === '') return undefined;
      let stats: Stats;
      try {
        stats = statSync(value);
        accessSync(value, constants.R_OK);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        return reject(
          code === 'EACCES' ? 'names a file this user may not read' : 'names no file',
          'set the path of an existing PEM file (or leave it empty)',
        );
      }
      if (!stats.isFile()) reject('names a folder, not a file', 'set the path of a PEM file');
      return resolve(value);
    }),
};
