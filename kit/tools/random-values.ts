/**
 * Random values for any Avro type, in the value form the sink's own parsed Types (parseAvroSchema) encode:
 * numbers for longs, decimal and uuid text, day / ms / µs numbers for dates, times and timestamps,
 * unwrapped or `{branch: value}` unions as avsc chose for that union. Encoding with the sink's Types means
 * the bytes are exactly what its decoder reads back.
 *
 * Values are chosen to fit the columns the sink maps them to (string length, DATE and DATETIME ranges,
 * finite floats), so a produced record never becomes a dead letter by accident.
 */
import type { Type } from 'avsc';

export interface RandomValueOptions {
  /** Longest top-level string (the column's VARCHAR(n) / CHAR(n)); default 255. */
  readonly maxStringChars?: number;
  /** Source of randomness in [0, 1); default Math.random. Tests pass a seeded one. */
  readonly random?: () => number;
  /** Epoch ms used for timestamps; default Date.now. */
  readonly now?: () => number;
  /** Nesting depth past which arrays and maps are empty and unions take their null branch. */
  readonly maxDepth?: number;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const DAY_MS = 86_400_000;
/** 1970-01-01 .. 2049-12-31: inside DATE and DATETIME on every MySQL / MariaDB version. */
const MAX_DAYS = 29_220;
const YEAR_MS = 365 * DAY_MS;

/** Short strings by default: they are what a sink benchmark should move, and every VARCHAR holds them. */
const MIN_TEXT = 4;
const MAX_TEXT = 24;

export class RandomValues {
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #maxDepth: number;
  readonly maxStringChars: number;
  /** Random text slices come from one pre-drawn pool: no per-character work per record. */
  readonly #pool: string;

  constructor(options: RandomValueOptions = {}) {
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
    this.#maxDepth = options.maxDepth ?? 3;
    this.maxStringChars = Math.max(1, options.maxStringChars ?? 255);
    let pool = '';
    for (let i = 0; i < 4096; i++) pool += ALPHABET[Math.floor(this.#random() * ALPHABET.length)];
    this.#pool = pool;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.#random() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.#random() < p;
  }

  now(): number {
    return this.#now();
  }

  /** Random alphanumeric text of `min(length, maxStringChars)` characters. */
  text(length: number): string {
    const n = Math.min(length, this.maxStringChars, this.#pool.length);
    const start = this.int(0, this.#pool.length - n);
    return this.#pool.slice(start, start + n);
  }

  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = this.int(0, 255);
    return out;
  }

  value(type: Type, depth = 0): unknown {
    const name = type.typeName;
    switch (name) {
      case 'null':
        return null;
      case 'boolean':
        return this.chance(0.5);
      case 'int':
        return this.int(-2147483648, 2147483647);
      case 'long':
      case 'abstract:long':
        return this.int(-(2 ** 52), 2 ** 52);
      case 'float':
        return Math.fround((this.#random() * 2 - 1) * 1e6);
      case 'double':
        return (this.#random() * 2 - 1) * 1e9;
      case 'string':
        return this.text(this.int(MIN_TEXT, MAX_TEXT));
      case 'bytes':
        return this.bytes(this.int(0, 16));
      case 'fixed':
        return this.bytes((type as unknown as { size: number }).size);
      case 'enum': {
        const symbols = (type as unknown as { symbols: readonly string[] }).symbols;
        return symbols[this.int(0, symbols.length - 1)];
      }
      case 'array': {
        const items = (type as unknown as { itemsType: Type }).itemsType;
        const length = depth >= this.#maxDepth ? 0 : this.int(0, 3);
        return Array.from({ length }, () => this.value(items, depth + 1));
      }
      case 'map': {
        const values = (type as unknown as { valuesType: Type }).valuesType;
        const length = depth >= this.#maxDepth ? 0 : this.int(0, 3);
        const out: Record<string, unknown> = {};
        for (let i = 0; i < length; i++) out[`k${i}_${this.text(4)}`] = this.value(values, depth + 1);
        return out;
      }
      case 'record':
      case 'error': {
        const out: Record<string, unknown> = {};
        for (const field of (type as unknown as { fields: readonly { name: string; type: Type }[] }).fields) {
          out[field.name] = this.value(field.type, depth + 1);
        }
        return out;
      }
      case 'union:unwrapped':
      case 'union:wrapped':
        return this.#union(type, depth, name === 'union:wrapped');
      default:
        if (name.startsWith('logical:')) return this.#logical(type, name.slice('logical:'.length), depth);
        throw new TypeError(`no random value for Avro type ${name}`);
    }
  }

  #union(type: Type, depth: number, wrapped: boolean): unknown {
    const branches = (type as unknown as { types: readonly Type[] }).types;
    const nullBranch = branches.find((t) => t.typeName === 'null');
    const others = branches.filter((t) => t !== nullBranch);
    // Mostly values: a nullable column full of NULLs would hide conversion bugs.
    if (others.length === 0 || (nullBranch !== undefined && (depth >= this.#maxDepth || this.chance(0.2)))) return null;
    if (wrapped) {
      const branch = others[this.int(0, others.length - 1)] as Type;
      return { [branch.branchName as string]: this.value(branch, depth + 1) };
    }
    if (others.length === 1) return this.value(others[0] as Type, depth + 1);
    // avsc unwraps some unions whose branches share a JS form (int and a timestamp-millis long): a value
    // two branches accept cannot be encoded, so try branches until one gives an unambiguous value.
    const start = this.int(0, others.length - 1);
    for (let i = 0; i < others.length; i++) {
      const value = this.value(others[(start + i) % others.length] as Type, depth + 1);
      if (encodable(type, value)) return value;
    }
    if (nullBranch !== undefined) return null;
    throw new TypeError(`no unambiguous random value for the union ${JSON.stringify(type.schema())}`);
  }

  #logical(type: Type, logical: string, depth: number): unknown {
    switch (logical) {
      case 'decimal': {
        const { precision, scale } = type as unknown as { precision: number; scale: number };
        return decimalText(this, precision, scale);
      }
      case 'date':
        return this.int(0, MAX_DAYS);
      case 'time-millis':
        return this.int(0, DAY_MS - 1);
      case 'time-micros':
        return this.int(0, DAY_MS * 1000 - 1);
      case 'timestamp-millis':
        return this.#now() - this.int(0, YEAR_MS);
      case 'timestamp-micros':
        return (this.#now() - this.int(0, YEAR_MS)) * 1000 + this.int(0, 999);
      case 'uuid':
        return uuidText(this);
      default:
        return this.value((type as unknown as { underlyingType: Type }).underlyingType, depth);
    }
  }
}

/** avsc throws "ambiguous conversion" from inside isValid when two branches accept a value. */
function encodable(type: Type, value: unknown): boolean {
  try {
    return type.isValid(value);
  } catch {
    return false;
  }
}

/** Decimal text with at most `precision` digits (15 at most, so the digits come from one double). */
export function decimalText(random: RandomValues, precision: number, scale: number): string {
  const digits = random.int(1, Math.min(precision, 15));
  let unscaled = String(random.int(0, 10 ** digits - 1));
  if (scale > 0) {
    unscaled = unscaled.padStart(scale + 1, '0');
    unscaled = `${unscaled.slice(0, unscaled.length - scale)}.${unscaled.slice(unscaled.length - scale)}`;
  }
  return random.chance(0.5) ? `-${unscaled}` : unscaled;
}

/** RFC 4122 version-4 layout from the injected randomness (crypto.randomUUID would ignore a test seed). */
export function uuidText(random: RandomValues): string {
  const hex = random.bytes(16);
  hex[6] = (hex[6]! & 0x0f) | 0x40;
  hex[8] = (hex[8]! & 0x3f) | 0x80;
  const h = hex.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
