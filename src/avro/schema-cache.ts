/**
 * The product's one cache of writer schemas by registry id. An id never changes meaning, so a type is
 * kept for good once fetched; concurrent lookups of one id share one fetch; a failed fetch is not kept,
 * so the next lookup asks again. The registry client owns it; the decoder reads it.
 */
import type { Type } from 'avsc';

export type SchemaFetch = (schemaId: number) => Promise<Type>;

export class SchemaCache {
  readonly #fetch: SchemaFetch;
  readonly #known = new Map<number, Type>();
  readonly #pending = new Map<number, Promise<Type>>();

  constructor(fetch: SchemaFetch) {
    this.#fetch = fetch;
  }

  /** The type when an earlier lookup of `schemaId` succeeded: no promise, for the per-record hot path. */
  known(schemaId: number): Type | undefined {
    return this.#known.get(schemaId);
  }

  get(schemaId: number): Promise<Type> {
    const known = this.#known.get(schemaId);
    if (known !== undefined) return Promise.resolve(known);
    let pending = this.#pending.get(schemaId);
    if (pending === undefined) {
      pending = this.#fetch(schemaId);
      this.#pending.set(schemaId, pending);
      // Registered before any caller's await, so `known` is filled by the time a caller resumes.
      pending.then(
        (type) => {
          this.#known.set(schemaId, type);
          this.#pending.delete(schemaId);
        },
        () => this.#pending.delete(schemaId),
      );
    }
    return pending;
  }
}
