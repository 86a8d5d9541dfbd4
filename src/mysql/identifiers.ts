/**
 * Identifier quoting. Every table, column, key and database name reaches SQL only through here, so a
 * hostile topic or field name can never become SQL: it is either quoted verbatim or rejected.
 */
import { SinkError } from '../core/errors.ts';

/** MySQL and MariaDB cap table, column, index and database names at 64 characters. */
export const MAX_IDENTIFIER_LENGTH = 64;

/** Code points above U+FFFF are what MySQL/MariaDB refuse (error 1300, "Invalid utf8mb3 character string"). */
const SUPPLEMENTARY = /[\u{10000}-\u{10FFFF}]/u;

/** Describes what is wrong with `name` as an identifier, or returns undefined when it is acceptable. */
function identifierProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  // A lone surrogate has no UTF-8 form: the driver would silently send U+FFFD instead, naming another object.
  if (!name.isWellFormed()) return 'it contains an unpaired UTF-16 surrogate';
  if (name.includes('\u0000'))
    return 'it contains the NUL character (U+0000), which MySQL/MariaDB identifiers cannot hold';
  if (SUPPLEMENTARY.test(name)) {
    return (
      'it contains a character outside the Basic Multilingual Plane (above U+FFFF, e.g. an emoji), ' +
      'which MySQL/MariaDB identifiers cannot hold'
    );
  }
  // No supplementary characters remain, so UTF-16 length equals the code point count.
  if (name.length > MAX_IDENTIFIER_LENGTH) {
    return `it is ${name.length} characters long; MySQL/MariaDB identifiers are at most ${MAX_IDENTIFIER_LENGTH}`;
  }
  // Checked here so the caller gets a clear code instead of a late server error (1103/1166/1280).
  if (name.endsWith(' ')) return 'it ends with a space, which MySQL/MariaDB identifiers cannot';
  return undefined;
}

/** Keeps error messages one readable line even for huge or control-character names. */
function shown(name: string): string {
  const points = [...name];
  const text = points.length > 80 ? `${points.slice(0, 80).join('')}…` : name;
  return JSON.stringify(text);
}

/**
 * Backtick-quotes one identifier, doubling embedded backticks; throws IDENTIFIER_INVALID when it cannot be one.
 * Nothing is rewritten: Kafka's `.`, `-`, `_` are legal inside quotes, and mapping names would let two
 * topics land in one table.
 */
export function quoteIdentifier(name: string): string {
  const problem = identifierProblem(name);
  if (problem !== undefined) {
    throw new SinkError(
      'IDENTIFIER_INVALID',
      `Identifier ${shown(name)} is not a valid MySQL/MariaDB identifier: ${problem}`,
    );
  }
  return `\`${name.replaceAll('`', '``')}\``;
}
