/** Records as the page shows them: Kafka coordinates, the key as text, the value decoded through the registry. */
import { RecordDecoder } from '../avro/decoder.ts';
import type { SchemaCache } from '../avro/schema-cache.ts';
import { describeError } from '../core/errors.ts';
import type { KafkaRecord } from '../core/records.ts';

export interface PeekedRecord {
  readonly offset: number;
  readonly timestamp: string | null;
  readonly key: string | null;
  readonly schemaId: number | null;
  readonly value: unknown;
  /** Why the value could not be decoded (the sink dead-letters such a record). */
  readonly error: string | null;
}

export async function decodeForPeek(schemas: SchemaCache, records: readonly KafkaRecord[]): Promise<PeekedRecord[]> {
  const decoder = new RecordDecoder(schemas);
  const out: PeekedRecord[] = [];
  for (const record of records) {
    const base = {
      offset: record.offset,
      timestamp:
        record.timestamp === undefined || record.timestamp < 0 ? null : new Date(record.timestamp).toISOString(),
      key: record.key ? printable(record.key) : null,
    };
    try {
      const decoded = await decoder.decode(record.value);
      out.push({ ...base, schemaId: decoded.schemaId, value: plain(decoded.value), error: null });
    } catch (error) {
      out.push({ ...base, schemaId: null, value: null, error: describeError(error) });
    }
  }
  return out;
}

/** UTF-8 text when the key is text, else hex. */
function printable(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what marks binary keys
  return text.includes('\uFFFD') || /[\u0000-\u0008\u000E-\u001F]/.test(text) ? `0x${bytes.toString('hex')}` : text;
}

/** Avro values → JSON-safe values: exact longs as text, bytes as hex, dates as ISO text. */
export function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}
