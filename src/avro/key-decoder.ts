/**
 * Kafka record key bytes → decoded key, for tables keyed on the record key (`sink.pk.mode=record_key`).
 * An Avro key is in Confluent wire format and resolved through the same schema cache as values (its
 * schema is a record, whose fields become key columns, or a primitive); a raw key is what Kafka's own
 * serializers write: UTF-8 text, a 4- or 8-byte big-endian integer, or opaque bytes.
 *
 * Every way a key can be unusable is a property of the record: KEY_REJECTED, with the reason. A
 * registry outage stays retriable (REGISTRY_UNAVAILABLE passes through).
 */
import type { Type } from 'avsc';
import { SinkError, describeError, isSinkError } from '../core/errors.ts';
import { parseAvroSchema } from './avro-schema.ts';
import { RecordDecoder } from './decoder.ts';
import { toAvroLong } from './long-type.ts';
import type { SchemaCache } from './schema-cache.ts';

export type KeyFormat = 'avro' | 'string' | 'int' | 'long' | 'bytes';

export interface DecodedKey {
  /** Registry id of an Avro key's writer schema; for raw keys a fixed negative id per format. */
  readonly schemaId: number;
  readonly type: Type;
  readonly value: unknown;
}

/** Raw formats as Avro types, so one column mapping serves both; ids below zero never clash with the registry's. */
const RAW_TYPES: Readonly<Record<Exclude<KeyFormat, 'avro'>, { id: number; type: Type }>> = {
  string: { id: -1, type: parseAvroSchema('"string"') },
  int: { id: -2, type: parseAvroSchema('"int"') },
  long: { id: -3, type: parseAvroSchema('"long"') },
  bytes: { id: -4, type: parseAvroSchema('"bytes"') },
};

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Codes of failures that belong to the key itself (everything else, e.g. an unreachable registry, is retried). */
const KEY_FAULTS = new Set(['WIRE_FORMAT', 'SCHEMA_NOT_FOUND', 'DECODE_FAILED', 'SCHEMA_INVALID']);

export function keyRejected(why: string): SinkError {
  return new SinkError('KEY_REJECTED', `record key: ${why}`);
}

export class KeyDecoder {
  readonly #format: KeyFormat;
  readonly #decoder: RecordDecoder;

  constructor(schemas: SchemaCache, format: KeyFormat) {
    this.#format = format;
    this.#decoder = new RecordDecoder(schemas);
  }

  /** Synchronous when the key is raw or its schema is cached; undefined when the registry must be asked. */
  decodeIfKnown(key: Buffer | null | undefined): DecodedKey | undefined {
    const buf = present(key);
    if (this.#format !== 'avro') return decodeRaw(this.#format, buf);
    try {
      return this.#decoder.decodeIfKnown(buf);
    } catch (error) {
      throw asKeyError(error);
    }
  }

  async decode(key: Buffer | null | undefined): Promise<DecodedKey> {
    const known = this.decodeIfKnown(key);
    if (known !== undefined) return known;
    try {
      return await this.#decoder.decode(key);
    } catch (error) {
      throw asKeyError(error);
    }
  }
}

function present(key: Buffer | null | undefined): Buffer {
  if (key === null || key === undefined) {
    throw keyRejected('the record has no key (null), and sink.pk.mode=record_key keys rows on it');
  }
  return key;
}

function decodeRaw(format: Exclude<KeyFormat, 'avro'>, buf: Buffer): DecodedKey {
  const { id, type } = RAW_TYPES[format];
  return { schemaId: id, type, value: rawValue(format, buf) };
}

function rawValue(format: Exclude<KeyFormat, 'avro'>, buf: Buffer): unknown {
  switch (format) {
    case 'string':
      try {
        return UTF8.decode(buf);
      } catch {
        throw keyRejected(`${buf.length} bytes are not UTF-8 text (sink.key.format=string)`);
      }
    case 'int':
      if (buf.length !== 4) throw keyRejected(`${buf.length} bytes, an int key has 4 (sink.key.format=int)`);
      return buf.readInt32BE(0);
    case 'long':
      if (buf.length !== 8) throw keyRejected(`${buf.length} bytes, a long key has 8 (sink.key.format=long)`);
      return toAvroLong(buf.readBigInt64BE(0));
    case 'bytes':
      return Buffer.from(buf);
  }
}

function asKeyError(error: unknown): unknown {
  if (isSinkError(error) && KEY_FAULTS.has(error.code)) {
    return new SinkError('KEY_REJECTED', `record key: ${describeError(error)}`, { cause: error });
  }
  return error;
}
