/**
 * Decoded Avro values (records, arrays, maps, non-nullable unions) → JSON text for JSON columns.
 * Longs beyond 2^53 stay exact (bigint printed as a JSON number), bytes / fixed become base64 strings,
 * logical values are already text. NaN and ±Infinity have no JSON form: rejected, never turned into null.
 */

type RawJson = (text: string) => unknown;
// Node >= 21 (V8 JSON.parse source text access); older engines fall back to strings.
const rawJSON: RawJson | undefined = (JSON as unknown as { rawJSON?: RawJson }).rawJSON;

export class NonFiniteNumberError extends RangeError {}

function replacer(this: unknown, key: string, value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
      return rawJSON ? rawJSON(value.toString()) : value.toString();
    case 'number':
      if (!Number.isFinite(value))
        throw new NonFiniteNumberError(
          `${value} at ${key === '' ? 'top level' : JSON.stringify(key)} has no JSON form`,
        );
      return value;
    case 'object': {
      // JSON.stringify already replaced a Buffer by its toJSON() shape; the holder still has the Buffer.
      const original = (this as Record<string, unknown>)[key];
      if (original instanceof Uint8Array)
        return Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64');
      return value;
    }
    default:
      return value;
  }
}

/** JSON text of a decoded Avro value. Throws NonFiniteNumberError for NaN / Infinity inside it. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, replacer) ?? 'null';
}
