/**
 * One-line config error messages. Every config problem reads the same way so an operator can grep for
 * it: what key, what value (never a secret), where it came from, what is wrong, how to fix it.
 */
import { SinkError } from '../core/errors.ts';

export interface ConfigProblem {
  /** Config key, e.g. `mysql.url`. */
  readonly key: string;
  /** The offending value, as it may be shown (URLs already redacted); omitted when not about one value. */
  readonly value?: string;
  /** True for values that must never be shown (passwords). */
  readonly secret?: boolean;
  /** Where the value came from: `config/sink.properties:7`, `environment variable KMS_X`, `--set`, `default`. */
  readonly source?: string;
  /** What is wrong, phrased to follow the value: "is not a whole number". */
  readonly problem: string;
  /** How to fix it, imperative: "set a whole number from 1 to 1000". Omitted when `problem` ends with it. */
  readonly fix?: string;
}

/** What is wrong with one value and how to fix it; whoever knows the key, value and source adds them. */
export class InvalidValue extends Error {
  readonly problem: string;
  readonly fix: string;

  constructor(problem: string, fix: string) {
    super(`${problem}; ${fix}`);
    this.name = 'InvalidValue';
    this.problem = problem;
    this.fix = fix;
  }
}

/** Throws an InvalidValue: the value parsers' way to fail. */
export function reject(problem: string, fix: string): never {
  throw new InvalidValue(problem, fix);
}

const MAX_SHOWN = 120;
const HIDDEN = '<hidden>';

/** Quotes a value for a one-line message: JSON escapes keep newlines out, long values are cut. */
export function quoteValue(value: string): string {
  const cut = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
  return JSON.stringify(cut);
}

export function formatProblem(p: ConfigProblem): string {
  let text = `config key ${p.key}`;
  if (p.value !== undefined) text += ` = ${p.secret ? HIDDEN : quoteValue(p.value)}`;
  if (p.source !== undefined) text += ` (from ${p.source})`;
  text += ` ${p.problem}`;
  if (p.fix !== undefined) text += `; ${p.fix}`;
  return oneLine(text);
}

export function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

export function configError(p: ConfigProblem): SinkError {
  return new SinkError('CONFIG_INVALID', formatProblem(p));
}
