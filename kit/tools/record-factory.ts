/**
 * Builds the records `produce` sends for one topic: Confluent wire format (magic 0, schema id, Avro body)
 * for key and value, encoded into reused scratch buffers. librdkafka copies key and value when a message
 * is enqueued (RK_MSG_COPY), so the views handed out are valid until the next call and nothing is
 * allocated per record beyond the values themselves.
 *
 * What a record carries, so a sink's output can be checked (documented in `kms produce --help`):
 * - key: the first field's value as text, Avro "string"; for a string first field `<topic>-<run>-<seq>`,
 *   unique across runs; for an int/long first field, `seq`;
 * - every other top-level string field: `seq=<seq> ` followed by random text;
 * - top-level long fields named `timestamp*` (and timestamp logical types): the produce time, Date.now();
 * - `seq` counts the topic's records in this run from 0, and one topic is always sent through one
 *   producer, so within every partition `seq` (and the timestamp) only grows with the offset.
 */
import type { Type } from 'avsc';
import { HEADER_LENGTH, writeWireHeader } from '../../src/avro/wire-format.ts';
import { RandomValues, type RandomValueOptions } from './random-values.ts';

export interface RecordFactoryOptions extends RandomValueOptions {
  readonly topic: string;
  /** Parsed with parseAvroSchema: the sink's own Type, so the bytes are what it decodes. */
  readonly type: Type;
  readonly valueSchemaId: number;
  readonly keySchemaId: number;
  /** Distinguishes runs in keys: records of two runs never share a key. */
  readonly runId: string;
}

export interface EncodedRecord {
  readonly key: Buffer;
  readonly value: Buffer;
}

type FieldFill = (seq: number) => unknown;

interface Field {
  readonly name: string;
  readonly type: Type;
}

const TIMESTAMP_NAME = /^timestamp/i;

/** The non-null branch of a ["null", T] union, else the type itself. */
function unwrapNullable(type: Type): Type {
  const branches = (type as unknown as { types?: readonly Type[] }).types;
  if (type.typeName !== 'union:unwrapped' || branches === undefined || branches.length !== 2) return type;
  return branches.find((t) => t.typeName !== 'null') ?? type;
}

function keyText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (value !== null && typeof value === 'object')
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return String(value);
}

export class RecordFactory {
  readonly topic: string;
  readonly #type: Type;
  readonly #valueSchemaId: number;
  readonly #keySchemaId: number;
  readonly #fields: readonly Field[];
  readonly #fills: readonly FieldFill[];
  readonly #record: Record<string, unknown> = {};
  #valueBuf = Buffer.allocUnsafe(64 * 1024);
  #keyBuf = Buffer.allocUnsafe(1024);

  constructor(options: RecordFactoryOptions) {
    this.topic = options.topic;
    this.#type = options.type;
    this.#valueSchemaId = options.valueSchemaId;
    this.#keySchemaId = options.keySchemaId;
    writeWireHeader(this.#valueBuf, this.#valueSchemaId);
    writeWireHeader(this.#keyBuf, this.#keySchemaId);
    const random = new RandomValues(options);
    this.#fields = (options.type as unknown as { fields: readonly Field[] }).fields;
    const keyPrefix = `${options.topic}-${options.runId}-`;
    this.#fills = this.#fields.map((field, index) => fillFor(field, index === 0, keyPrefix, random));
  }

  /** Record `seq` of this topic; the buffers are reused by the next call. */
  next(seq: number): EncodedRecord {
    const record = this.#record;
    const fields = this.#fields;
    for (let i = 0; i < fields.length; i++) record[fields[i]!.name] = this.#fills[i]!(seq);
    return { key: this.#encodeKey(keyText(record[fields[0]!.name])), value: this.#encodeValue(record) };
  }

  #encodeValue(record: Record<string, unknown>): Buffer {
    let end = this.#type.encode(record, this.#valueBuf, HEADER_LENGTH);
    if (end < 0) {
      // avsc reports the missing byte count as a negative end: grow once to fit, then encode again.
      this.#valueBuf = Buffer.allocUnsafe(Math.max(this.#valueBuf.length * 2, this.#valueBuf.length - end));
      writeWireHeader(this.#valueBuf, this.#valueSchemaId);
      end = this.#type.encode(record, this.#valueBuf, HEADER_LENGTH);
    }
    return this.#valueBuf.subarray(0, end);
  }

  /** Avro string: zig-zag varint byte length, then UTF-8. */
  #encodeKey(text: string): Buffer {
    const length = Buffer.byteLength(text);
    if (this.#keyBuf.length < HEADER_LENGTH + 10 + length) {
      this.#keyBuf = Buffer.allocUnsafe(HEADER_LENGTH + 10 + length * 2);
      writeWireHeader(this.#keyBuf, this.#keySchemaId);
    }
    let pos = HEADER_LENGTH;
    let n = length * 2;
    while (n > 0x7f) {
      this.#keyBuf[pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.#keyBuf[pos++] = n;
    pos += this.#keyBuf.write(text, pos, 'utf8');
    return this.#keyBuf.subarray(0, pos);
  }
}

/** How one top-level field gets its value for record `seq`. */
function fillFor(field: Field, isKey: boolean, keyPrefix: string, random: RandomValues): FieldFill {
  const type = unwrapNullable(field.type);
  const kind = type.typeName;
  if (isKey) {
    if (kind === 'string') {
      // Keep the tail when the column is short: the sequence number is what makes the key unique.
      return (seq) => {
        const key = keyPrefix + seq;
        return key.length <= random.maxStringChars ? key : key.slice(key.length - random.maxStringChars);
      };
    }
    if (kind === 'int') return (seq) => seq | 0;
    if (kind === 'long' || kind === 'abstract:long') return (seq) => seq;
  }
  if (TIMESTAMP_NAME.test(field.name)) {
    if (kind === 'long' || kind === 'abstract:long' || kind === 'logical:timestamp-millis') return () => random.now();
    if (kind === 'logical:timestamp-micros') return () => random.now() * 1000;
  }
  if (kind === 'string') {
    return (seq) => {
      const prefix = `seq=${seq} `;
      const text = prefix + random.text(random.int(8, 24));
      return text.length <= random.maxStringChars ? text : text.slice(0, random.maxStringChars);
    };
  }
  return () => random.value(field.type, 1);
}
