/**
 * One-line config error messages. Every config problem reads the same way so an operator can grep for
 * it: what key, what value (never a secret), where it came from, what is wrong, how to fix it.
 */
import { SinkError } from '../core/errors.ts';

export interface ConfigProblem {
  /** Config key, e.g. `mysql.url`. */
  readonly key: string;
  /** The offending value; omitted when the problem is not about one value. */
  readonly value?: string;
  /** True for values that must never be shown (passwords). */
  readonly secret?: boolean;
  /** Where the value came from: `config/sink.properties:7`, `environment variable KMS_X`, `--set`, `default`. */
  readonly source?: string;
  /** What is wrong, phrased to follow the value: "is not a whole number". */
  readonly problem: string;
  /** How to fix it, imperative: "set a whole number from 1 to 1000". */
  readonly fix: string;
}

const MAX_SHOWN = 120;

/** Quotes a value for a one-line message: JSON escapes keep newlines out, long values are cut. */
export function quoteValue(value: string): string {
  const cut = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
  return JSON.stringify(cut);
}

/**
 * Hides credentials in a URL-like string for display: everything between the first `:` after `//` and the
 * last `@`, and `password=` style query parameters. Errs on hiding too much, since the input may be
 * malformed (an unencoded `@` or `/` inside a password).
 */
export function redactUrl(url: string): string {
  let out = url;
  const slashes = out.indexOf('//');
  if (slashes >= 0) {
    const at = out.lastIndexOf('@');
    const colon = out.indexOf(':', slashes + 2);
    if (at > slashes && colon >= 0 && colon < at) out = `${out.slice(0, colon + 1)}***${out.slice(at)}`;
  }
  return out.replace(/([?&;](?:password|passwd|pwd)=)[^&;#]*/gi, '$1***');
}

export function formatProblem(p: ConfigProblem): string {
  let text = `config key ${p.key}`;
  if (p.value !== undefined) text += ` = ${p.secret ? '<hidden>' : quoteValue(p.value)}`;
  if (p.source !== undefined) text += ` (from ${p.source})`;
  text += ` ${p.problem}; ${p.fix}`;
  return oneLine(text);
}

export function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

export function configError(p: ConfigProblem): SinkError {
  return new SinkError('CONFIG_INVALID', formatProblem(p));
}
