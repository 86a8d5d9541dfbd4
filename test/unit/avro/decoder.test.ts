import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Type } from 'avsc';
import { SinkError, isSinkError, type ErrorCode } from '../../../src/core/errors.ts';
import { parseAvroSchema } from '../../../src/avro/avro-schema.ts';
import { RecordDecoder } from '../../../src/avro/decoder.ts';
import { SchemaCache } from '../../../src/avro/schema-cache.ts';
import { FetchedRecord } from '../../../src/core/records.ts';
import { encodeWire } from '../../fixtures/wire-format.ts';
import { SEED_SCHEMAS } from '../../fixtures/seed-schemas.ts';

const valueType = parseAvroSchema(SEED_SCHEMAS['dataset1']!);
const keyType = parseAvroSchema('"string"');
const unionType = parseAvroSchema({ type: 'record', name: 'u', fields: [{ name: 'x', type: ['null', 'string'] }] });
const value = { key_field1: 'k1', timestamp_field1: 1_700_000_000_000, string_field1: 'hello', double_field1: 1.5 };

/** A schema cache over a fixed map, counting fetches; unknown ids are SCHEMA_NOT_FOUND like the registry's. */
function mapLookup(types: Record<number, Type>): SchemaCache & { calls: number[] } {
  const calls: number[] = [];
  const fetch = async (id: number): Promise<Type> => {
    calls.push(id);
    const type = types[id];
    if (type === undefined) throw new SinkError('SCHEMA_NOT_FOUND', `schema id ${id} not found`);
    return type;
  };
  return Object.assign(new SchemaCache(fetch), { calls });
}

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, ...parts: string[]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isSinkError(error, code), `expected ${code}, got ${String(error)}`);
    for (const part of parts) assert.ok(error.message.includes(part), `"${part}" not in: ${error.message}`);
    return true;
  });
}

describe('RecordDecoder', () => {
  it('decodes a value with the writer schema named in the header', async () => {
    const decoder = new RecordDecoder(mapLookup({ 7: valueType }));
    const decoded = await decoder.decode(encodeWire(7, valueType.toBuffer(value)));
    assert.equal(decoded.schemaId, 7);
    assert.equal(decoded.type, valueType);
    assert.deepEqual({ ...(decoded.value as object) }, value);
  });

  it('looks each schema id up once, also under concurrency', async () => {
    const lookup = mapLookup({ 7: valueType, 8: keyType });
    const decoder = new RecordDecoder(lookup);
    const msg = encodeWire(7, valueType.toBuffer(value));
    await Promise.all([decoder.decode(msg), decoder.decode(msg), decoder.decode(msg)]);
    await decoder.decode(msg);
    await decoder.decode(encodeWire(8, keyType.toBuffer('k')));
    assert.deepEqual(lookup.calls, [7, 8]);
    assert.equal(lookup.known(8), keyType);
  });

  it('decodeIfKnown is synchronous once the schema is known', async () => {
    const decoder = new RecordDecoder(mapLookup({ 7: valueType }));
    const msg = encodeWire(7, valueType.toBuffer(value));
    assert.equal(decoder.decodeIfKnown(msg), undefined);
    await decoder.decode(msg);
    assert.equal((decoder.decodeIfKnown(msg)!.value as { key_field1: string }).key_field1, 'k1');
    assert.throws(
      () => decoder.decodeIfKnown(Buffer.from('x')),
      (e: unknown) => isSinkError(e, 'WIRE_FORMAT'),
    );
  });

  it('decodeValueIfKnown reads a fetched record in place, never past its value', async () => {
    const decoder = new RecordDecoder(mapLookup({ 7: valueType }));
    const msg = encodeWire(7, valueType.toBuffer(value));
    await decoder.decode(msg);
    // As in a fetch answer: other bytes before the value and another whole message after it.
    const source = Buffer.concat([Buffer.from([1, 2, 3]), msg, msg]);
    const at = (start: number, end: number) => new FetchedRecord('t', 0, 0, 0, source, -1, -1, start, end);
    const decoded = decoder.decodeValueIfKnown(at(3, 3 + msg.length))!;
    assert.equal(decoded.schemaId, 7);
    assert.deepEqual({ ...(decoded.value as object) }, value);
    const fails = (record: FetchedRecord, code: ErrorCode) =>
      assert.throws(
        () => decoder.decodeValueIfKnown(record),
        (e: unknown) => isSinkError(e, code),
      );
    // One byte short: the bytes that follow must not complete it.
    fails(at(3, 2 + msg.length), 'DECODE_FAILED');
    fails(at(3, 4 + msg.length), 'DECODE_FAILED');
    fails(at(2, 2 + msg.length), 'WIRE_FORMAT');
    fails(at(3, 6), 'WIRE_FORMAT');
    fails(at(-1, -1), 'WIRE_FORMAT');
  });

  it('bad magic byte, null and short values are WIRE_FORMAT, with no lookup', async () => {
    const lookup = mapLookup({ 7: valueType });
    const decoder = new RecordDecoder(lookup);
    await rejectsWith(decoder.decode(Buffer.from('{"a":1}')), 'WIRE_FORMAT', 'magic byte 0x7b, expected 0x00');
    await rejectsWith(decoder.decode(null), 'WIRE_FORMAT');
    await rejectsWith(decoder.decode(Buffer.from([0, 0, 0])), 'WIRE_FORMAT', '3 bytes');
    assert.deepEqual(lookup.calls, []);
  });

  it('an unknown schema id is the lookup’s SCHEMA_NOT_FOUND, and is asked again next time', async () => {
    const lookup = mapLookup({});
    const decoder = new RecordDecoder(lookup);
    const msg = encodeWire(99, valueType.toBuffer(value));
    await rejectsWith(decoder.decode(msg), 'SCHEMA_NOT_FOUND', '99');
    await rejectsWith(decoder.decode(msg), 'SCHEMA_NOT_FOUND', '99');
    assert.deepEqual(lookup.calls, [99, 99]);
  });

  it('a truncated payload is DECODE_FAILED naming schema id and byte length', async () => {
    const decoder = new RecordDecoder(mapLookup({ 7: valueType }));
    const full = valueType.toBuffer(value);
    for (let cut = 0; cut < full.length; cut++) {
      await rejectsWith(
        decoder.decode(encodeWire(7, full.subarray(0, cut))),
        'DECODE_FAILED',
        'schema id 7',
        `${cut}-byte`,
      );
    }
  });

  it('trailing bytes are DECODE_FAILED', async () => {
    const decoder = new RecordDecoder(mapLookup({ 7: valueType }));
    const payload = Buffer.concat([valueType.toBuffer(value), Buffer.from([0])]);
    await rejectsWith(decoder.decode(encodeWire(7, payload)), 'DECODE_FAILED', 'schema id 7', `${payload.length}-byte`);
  });

  it('a payload written with another schema is DECODE_FAILED', async () => {
    const decoder = new RecordDecoder(mapLookup({ 7: valueType }));
    await rejectsWith(decoder.decode(encodeWire(7, keyType.toBuffer('just a string'))), 'DECODE_FAILED', 'schema id 7');
  });

  it('a bad union index is DECODE_FAILED', async () => {
    const decoder = new RecordDecoder(mapLookup({ 3: unionType }));
    await rejectsWith(decoder.decode(encodeWire(3, Buffer.from([0x08]))), 'DECODE_FAILED', 'union');
  });

  it('invalid UTF-8 in a string is INVALID_UTF8, never replaced with U+FFFD, wherever the string is', async () => {
    const nested = parseAvroSchema({
      type: 'record',
      name: 'n',
      fields: [
        { name: 'plain', type: 'string' },
        { name: 'maybe', type: ['null', 'string'] },
        { name: 'many', type: { type: 'array', items: 'string' } },
        { name: 'id', type: { type: 'string', logicalType: 'uuid' } },
      ],
    });
    const decoder = new RecordDecoder(mapLookup({ 5: nested }));
    const good = { plain: 'hello', maybe: 'hello', many: ['x', 'hello'], id: '123e4567-e89b-12d3-a456-426614174000' };
    const payload = nested.toBuffer(good);
    // Each 'hello' in turn becomes 'h\xffllo' (same length, so the payload stays well-formed otherwise).
    const hello = Buffer.from('hello');
    let found = 0;
    for (let at = payload.indexOf(hello); at >= 0; at = payload.indexOf(hello, at + 1), found++) {
      const bad = Buffer.from(payload);
      bad[at + 1] = 0xff;
      await rejectsWith(decoder.decode(encodeWire(5, bad)), 'INVALID_UTF8', 'byte 1 of 5 is 0xff');
      assert.throws(
        () => decoder.decodeIfKnown(encodeWire(5, bad)),
        (e: unknown) => isSinkError(e, 'INVALID_UTF8') && !e.retriable,
      );
    }
    assert.equal(found, 3);
    const uuid = Buffer.from(payload);
    uuid[uuid.indexOf(Buffer.from('123e')) + 2] = 0xc3; // a lead byte without its continuation
    await rejectsWith(decoder.decode(encodeWire(5, uuid)), 'INVALID_UTF8', 'is 0xc3');
  });

  it('a real U+FFFD (correctly encoded) and other valid text decode unchanged', async () => {
    const decoder = new RecordDecoder(mapLookup({ 8: keyType }));
    for (const text of ['a\uFFFDb', '\uFFFD', 'ünï€😀', '']) {
      const decoded = await decoder.decode(encodeWire(8, keyType.toBuffer(text)));
      assert.equal(decoded.value, text);
    }
  });

  it('garbled payloads either decode or fail with DECODE_FAILED, never anything else', async () => {
    const decoder = new RecordDecoder(mapLookup({ 7: valueType, 3: unionType }));
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const good = valueType.toBuffer(value);
    for (let i = 0; i < 2000; i++) {
      const payload = Buffer.from(good);
      // Flip a few random bytes, sometimes also change the length.
      for (let k = 0; k < 1 + (random() % 4); k++) payload[random() % payload.length] = random() & 0xff;
      const id = i % 2 === 0 ? 7 : 3;
      const bytes = i % 3 === 0 ? payload.subarray(0, random() % payload.length) : payload;
      try {
        await decoder.decode(encodeWire(id, bytes));
      } catch (error) {
        assert.ok(
          isSinkError(error, 'DECODE_FAILED') || isSinkError(error, 'INVALID_UTF8'),
          `payload ${bytes.toString('hex')}: ${String(error)}`,
        );
        assert.equal(error.retriable, false);
      }
    }
  });
});
