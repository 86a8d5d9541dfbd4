import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Type } from 'avsc';
import { parseAvroSchema } from '../../../src/avro/avro-schema.ts';
import { SchemaCache } from '../../../src/avro/schema-cache.ts';

const stringType = parseAvroSchema('"string"');

describe('SchemaCache', () => {
  it('shares one fetch between concurrent lookups and keeps the type', async () => {
    const fetched: number[] = [];
    const cache = new SchemaCache(async (id) => {
      fetched.push(id);
      return stringType;
    });
    assert.equal(cache.known(1), undefined);
    const [a, b] = await Promise.all([cache.get(1), cache.get(1)]);
    assert.equal(a, stringType);
    assert.equal(b, stringType);
    assert.equal(cache.known(1), stringType);
    assert.equal(await cache.get(1), stringType);
    assert.deepEqual(fetched, [1]);
  });

  it('keeps no failure: the next lookup fetches again', async () => {
    let calls = 0;
    const cache = new SchemaCache(async (): Promise<Type> => {
      calls++;
      if (calls === 1) throw new Error('registry down');
      return stringType;
    });
    await assert.rejects(cache.get(5), /registry down/);
    assert.equal(cache.known(5), undefined);
    assert.equal(await cache.get(5), stringType);
    assert.equal(calls, 2);
  });
});
