/**
 * Java `.properties` parser, faithful to `java.util.Properties.load(Reader)` so the seed's files mean
 * the same thing here. Deliberate differences: the text is UTF-8 (Java's InputStream overload reads
 * ISO-8859-1) and a malformed `\u` escape is reported with its line number instead of an exception
 * without one.
 */
import { SinkError } from '../core/errors.ts';

export interface PropertyEntry {
  readonly key: string;
  readonly value: string;
  /** 1-based line on which the key's logical line starts. */
  readonly line: number;
}

/** A logical line (continuations joined) plus where each natural line starts in it, for error lines. */
interface LogicalLine {
  readonly text: string;
  readonly segments: readonly { readonly offset: number; readonly line: number }[];
}

const isBlank = (ch: string | undefined): boolean => ch === ' ' || ch === '\t' || ch === '\f';

function skipBlanks(text: string, from: number): number {
  let i = from;
  while (i < text.length && isBlank(text[i])) i++;
  return i;
}

function endsWithOddBackslashes(text: string): boolean {
  let count = 0;
  for (let i = text.length - 1; i >= 0 && text[i] === '\\'; i--) count++;
  return count % 2 === 1;
}

function* logicalLines(text: string): Generator<LogicalLine> {
  const natural = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  let i = 0;
  while (i < natural.length) {
    const first = natural[i] ?? '';
    const start = skipBlanks(first, 0);
    i++;
    if (start === first.length) continue;
    // Comments are whole natural lines: a trailing backslash does not continue them (as in Java).
    if (first[start] === '#' || first[start] === '!') continue;
    let body = first.slice(start);
    const segments = [{ offset: 0, line: i }];
    while (endsWithOddBackslashes(body)) {
      body = body.slice(0, -1);
      if (i >= natural.length) break;
      const next = natural[i] ?? '';
      i++;
      segments.push({ offset: body.length, line: i });
      // A continuation line loses its leading whitespace; it is never a comment, even if it starts with #.
      body += next.slice(skipBlanks(next, 0));
    }
    yield { text: body, segments };
  }
}

function lineAt(logical: LogicalLine, offset: number): number {
  let line = logical.segments[0]?.line ?? 0;
  for (const segment of logical.segments) if (segment.offset <= offset) line = segment.line;
  return line;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', f: '\f' };

/**
 * Reads one escaped run starting at `from`; stops at `stop(ch)` on an unescaped char.
 * Returns the decoded text and the index where it stopped.
 */
function readEscaped(
  logical: LogicalLine,
  from: number,
  stop: (ch: string) => boolean,
  sourceName: string,
  what: () => string,
): { text: string; end: number } {
  const raw = logical.text;
  let out = '';
  let i = from;
  while (i < raw.length) {
    const ch = raw[i] as string;
    if (ch !== '\\') {
      if (stop(ch)) break;
      out += ch;
      i++;
      continue;
    }
    const next = raw[i + 1];
    if (next === undefined) {
      i++;
      break;
    }
    if (next === 'u') {
      const hex = raw.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw new SinkError(
          'CONFIG_INVALID',
          `${sourceName}:${lineAt(logical, i)}: malformed \\uXXXX escape in ${what()}; ` +
            'write exactly four hex digits after \\u (e.g. \\u00e9), or \\\\u for a literal backslash-u',
        );
      }
      out += String.fromCharCode(parseInt(hex, 16));
      i += 6;
      continue;
    }
    // Java drops the backslash before any other character: `\=` is `=`, `\ ` is a space, `\x` is `x`.
    out += SIMPLE_ESCAPES[next] ?? next;
    i += 2;
  }
  return { text: out, end: i };
}

/** Parses properties text into entries keyed by property name; a repeated key keeps its last value. */
export function parsePropertyEntries(text: string, sourceName = 'properties'): Map<string, PropertyEntry> {
  const entries = new Map<string, PropertyEntry>();
  for (const logical of logicalLines(text)) {
    const line = lineAt(logical, 0);
    const key = readEscaped(
      logical,
      0,
      (ch) => ch === '=' || ch === ':' || isBlank(ch),
      sourceName,
      () => 'a key',
    );
    let i = skipBlanks(logical.text, key.end);
    if (logical.text[i] === '=' || logical.text[i] === ':') i = skipBlanks(logical.text, i + 1);
    // Values are never echoed in parse errors: they may be secrets.
    const value = readEscaped(
      logical,
      i,
      () => false,
      sourceName,
      () => `the value of "${key.text}"`,
    );
    entries.set(key.text, Object.freeze({ key: key.text, value: value.text, line }));
  }
  return entries;
}

/** Parses properties text into key → value; a repeated key keeps its last value. */
export function parseProperties(text: string, sourceName = 'properties'): Map<string, string> {
  const result = new Map<string, string>();
  for (const [key, entry] of parsePropertyEntries(text, sourceName)) result.set(key, entry.value);
  return result;
}

const WRITE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\f': '\\f',
};

/**
 * One `key=value` line that parses back to exactly this key and value: backslashes and control characters
 * are escaped, and so are the separators and comment marks in a key and a value's leading blanks.
 */
export function formatProperty(key: string, value: string): string {
  const escapedKey = key.replace(/[\\\t\n\r\f =:#!]/g, (ch) => WRITE_ESCAPES[ch] ?? `\\${ch}`);
  const escapedValue = value
    .replace(/[\\\t\n\r\f]/g, (ch) => WRITE_ESCAPES[ch] ?? ch)
    .replace(/^ +/, (blanks) => blanks.replace(/ /g, '\\ '));
  return `${escapedKey}=${escapedValue}`;
}
