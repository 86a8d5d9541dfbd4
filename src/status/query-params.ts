/** Query parameters of the status server's JSON endpoints: anything malformed is a 400 with one clear line. */

export class BadRequest extends Error {}

export class Query {
  readonly #params: URLSearchParams;
  readonly #allowed: ReadonlySet<string>;

  constructor(params: URLSearchParams, allowed: readonly string[]) {
    this.#params = params;
    this.#allowed = new Set(allowed);
    for (const name of params.keys()) {
      if (!this.#allowed.has(name))
        throw new BadRequest(
          `unknown query parameter "${name}"; this endpoint takes ${allowed.length ? allowed.join(', ') : 'none'}`,
        );
    }
  }

  text(name: string): string | undefined {
    const all = this.#params.getAll(name);
    if (all.length > 1) throw new BadRequest(`query parameter "${name}" is given ${all.length} times; give it once`);
    const value = all[0];
    if (value === undefined) return undefined;
    if (value === '') throw new BadRequest(`query parameter "${name}" is empty`);
    return value;
  }

  /** A whole number in [min, max], or `fallback` when absent. */
  integer(name: string, min: number, max: number): number | undefined {
    const text = this.text(name);
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)))
      throw new BadRequest(`query parameter "${name}" must be a whole number, got ${JSON.stringify(text)}`);
    const value = Number(text);
    if (value < min || value > max)
      throw new BadRequest(`query parameter "${name}" must be between ${min} and ${max}, got ${value}`);
    return value;
  }

  oneOf(name: string, choices: readonly string[]): string | undefined {
    const text = this.text(name);
    if (text !== undefined && !choices.includes(text))
      throw new BadRequest(
        `query parameter "${name}" must be one of ${choices.join(', ')}, got ${JSON.stringify(text)}`,
      );
    return text;
  }
}
