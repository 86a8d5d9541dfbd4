/**
 * A record's writer schema must be registered under the subject its topic reads (per the configured
 * subject name strategy) before the sink lets it shape the table: a valid schema id that belongs to
 * another subject (another topic's value schema, a producer misconfigured) would otherwise add that
 * schema's columns to the table and then fail every insert. Checked before any DDL; a mismatch is a
 * dead letter SCHEMA_SUBJECT_MISMATCH. The verdict is kept per schema id (one checker per topic).
 */
import type { Type } from 'avsc';
import type { SubjectNameStrategy } from '../config/name-types.ts';
import { SinkError } from '../core/errors.ts';

export interface SubjectLookup {
  subjectsOf(schemaId: number): Promise<string[]>;
}

/** The subject a value written with `type` belongs to on `topic`, or a reason there is none. */
export function valueSubject(strategy: SubjectNameStrategy, topic: string, type: Type): string | { problem: string } {
  if (strategy === 'TopicNameStrategy') return `${topic}-value`;
  // avsc gives a named type's full name (namespace.name); records are what the record strategies name.
  const name = type.typeName === 'record' ? type.name : undefined;
  if (name === undefined)
    return { problem: `its schema is a ${type.typeName}, not a record, so ${strategy} names no subject` };
  return strategy === 'RecordNameStrategy' ? name : `${topic}-${name}`;
}

export class SubjectCheck {
  readonly #registry: SubjectLookup;
  readonly #topic: string;
  readonly #strategy: SubjectNameStrategy;
  /** null: the schema id passed; an error: every record with it is a dead letter. */
  readonly #verdicts = new Map<number, SinkError | null>();

  constructor(registry: SubjectLookup, topic: string, strategy: SubjectNameStrategy) {
    this.#registry = registry;
    this.#topic = topic;
    this.#strategy = strategy;
  }

  /** True when `schemaId` is known to pass: no promise on the hot path. */
  passed(schemaId: number): boolean {
    return this.#verdicts.get(schemaId) === null;
  }

  /** Throws SCHEMA_SUBJECT_MISMATCH (a property of the record) or the registry's error (retriable). */
  async check(schemaId: number, type: Type): Promise<void> {
    let verdict = this.#verdicts.get(schemaId);
    if (verdict === undefined) {
      verdict = await this.#judge(schemaId, type);
      this.#verdicts.set(schemaId, verdict);
    }
    if (verdict !== null) throw verdict;
  }

  async #judge(schemaId: number, type: Type): Promise<SinkError | null> {
    const expected = valueSubject(this.#strategy, this.#topic, type);
    const strategy = `kafka.value.subject.name.strategy=${this.#strategy}`;
    if (typeof expected !== 'string') {
      return new SinkError('SCHEMA_SUBJECT_MISMATCH', `schema id ${schemaId}: ${expected.problem} (${strategy})`);
    }
    const subjects = await this.#registry.subjectsOf(schemaId);
    if (subjects.includes(expected)) return null;
    const registered = subjects.length === 0 ? 'no subject' : subjects.map((s) => JSON.stringify(s)).join(', ');
    return new SinkError(
      'SCHEMA_SUBJECT_MISMATCH',
      `schema id ${schemaId} is registered under ${registered}, not under ${JSON.stringify(expected)}, ` +
        `the subject of topic ${JSON.stringify(this.#topic)} (${strategy}); the table was not changed`,
    );
  }
}
