import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Type } from 'avsc';
import { SinkError, isSinkError, type ErrorCode } from '../../../src/core/errors.ts';
import { parseAvroSchema } from '../../../src/avro/avro-schema.ts';
import { KeyDecoder } from '../../../src/avro/key-decoder.ts';
import { SchemaCache } from '../../../src/avro/schema-cache.ts';
import { encodeWire } from '../../fixtures/wire-format.ts';

const KEY = parseAvroSchema({ type: 'record', name: 'Key', fields: [{ name: 'id', type: 'long' }] });

function cache(types: Record<number, Type>, failWith?: SinkError): SchemaCache {
  return new SchemaCache(async (id) => {
    if (failWith !== undefined) throw failWith;
    const type = types[id];
    if (type === undefined) throw new SinkError('SCHEMA_NOT_FOUND', `schema id ${id} not found`);
    return type;
  });
}

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, part: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isSinkError(error, code), `expected ${code}, got ${String(error)}`);
    assert.ok(error.message.includes(part), `"${part}" not in: ${error.message}`);
    return true;
  });
}

describe('KeyDecoder', () => {
  it('decodes an Avro key in wire format through the schema cache', async () => {
    const decoder = new KeyDecoder(cache({ 5: KEY }), 'avro');
    const key = await decoder.decode(encodeWire(5, KEY.toBuffer({ id: 42 })));
    assert.equal(key.schemaId, 5);
    assert.deepEqual({ ...(key.value as object) }, { id: 42 });
  });

  it('decodes raw keys as Kafka serializers write them', async () => {
    assert.equal((await new KeyDecoder(cache({}), 'string').decode(Buffer.from('계좌-1'))).value, '계좌-1');
    const int = Buffer.alloc(4);
    int.writeInt32BE(-7);
    assert.equal((await new KeyDecoder(cache({}), 'int').decode(int)).value, -7);
    const long = Buffer.alloc(8);
    long.writeBigInt64BE(-(2n ** 63n));
    assert.equal((await new KeyDecoder(cache({}), 'long').decode(long)).value, -(2n ** 63n));
    assert.deepEqual((await new KeyDecoder(cache({}), 'bytes').decode(Buffer.from([0, 1]))).value, Buffer.from([0, 1]));
  });

  it('a null key, a key that does not decode, or a raw key of the wrong size is KEY_REJECTED', async () => {
    await rejectsWith(new KeyDecoder(cache({}), 'avro').decode(null), 'KEY_REJECTED', 'has no key (null)');
    await rejectsWith(new KeyDecoder(cache({}), 'avro').decode(Buffer.from('plain')), 'KEY_REJECTED', 'record key:');
    await rejectsWith(
      new KeyDecoder(cache({}), 'avro').decode(encodeWire(9, Buffer.from([2]))),
      'KEY_REJECTED',
      'schema id 9',
    );
    await rejectsWith(
      new KeyDecoder(cache({ 5: KEY }), 'avro').decode(encodeWire(5, Buffer.from([]))),
      'KEY_REJECTED',
      'cannot decode',
    );
    await rejectsWith(
      new KeyDecoder(cache({}), 'int').decode(Buffer.alloc(3)),
      'KEY_REJECTED',
      '3 bytes, an int key has 4',
    );
    await rejectsWith(new KeyDecoder(cache({}), 'string').decode(Buffer.from([0xff])), 'KEY_REJECTED', 'not UTF-8');
  });

  it('a registry outage stays retriable, not a verdict on the key', async () => {
    const outage = new SinkError('REGISTRY_UNAVAILABLE', 'registry down', { retriable: true });
    await rejectsWith(
      new KeyDecoder(cache({}, outage), 'avro').decode(encodeWire(5, Buffer.from([2]))),
      'REGISTRY_UNAVAILABLE',
      'down',
    );
  });
});
