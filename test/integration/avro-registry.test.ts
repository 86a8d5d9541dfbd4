/**
 * RegistryClient against a real Confluent-compatible registry (Apicurio from `./kms stack up`).
 * KMS_REGISTRY_URL overrides the default http://127.0.0.1:8081/apis/ccompat/v7.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { isSinkError, type ErrorCode } from '../../src/core/errors.ts';
import { RegistryClient } from '../../src/avro/registry-client.ts';
import { RecordDecoder } from '../../src/avro/decoder.ts';
import { encodeWire } from '../fixtures/wire-format.ts';
import { buildColumnModel } from '../../src/mysql/column-model.ts';
import { REGISTRY, freePort } from './helpers/services.ts';
import { avroRecord } from '../../kit/tools/avro-record.ts';

/** fetch wrapper that records every request URL, to prove cache hits make no request. */
function countingFetch(): { fetch: typeof fetch; requests: string[] } {
  const requests: string[] = [];
  const wrapped: typeof fetch = (input, init) => {
    requests.push(`${init?.method ?? 'GET'} ${String(input)}`);
    return fetch(input, init);
  };
  return { fetch: wrapped, requests };
}

async function rejectsWith(
  promise: Promise<unknown>,
  code: ErrorCode,
  retriable: boolean,
  ...parts: string[]
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isSinkError(error, code), `expected ${code}, got ${String(error)}`);
    assert.equal(error.retriable, retriable, error.message);
    for (const part of parts) assert.ok(error.message.includes(part), `"${part}" not in: ${error.message}`);
    return true;
  });
}

/** The same JSON value with every object's keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  );
}

const subject = `kms-it-avro-${randomUUID()}-value`;
const schema = avroRecord(
  'kms.it.payment',
  {
    id: 'string',
    amount: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 },
    at: { type: 'long', logicalType: 'timestamp-micros' },
    seq: 'long',
    note: ['null', 'string'],
  },
  { note: null },
);

describe('RegistryClient against a real registry', () => {
  before(async () => {
    try {
      const response = await fetch(`${REGISTRY}/subjects`, { signal: AbortSignal.timeout(5_000) });
      assert.ok(response.ok, `status ${response.status}`);
    } catch (error) {
      assert.fail(
        `no schema registry at ${REGISTRY} (${String(error)}): start the stack (./kms stack up) or set KMS_REGISTRY`,
      );
    }
  });

  after(async () => {
    // Best effort: leave no test subjects behind in a registry that may be shared.
    for (const suffix of ['', '?permanent=true']) {
      await fetch(`${REGISTRY}/subjects/${encodeURIComponent(subject)}${suffix}`, { method: 'DELETE' }).catch(
        () => undefined,
      );
    }
  });

  let schemaId = -1;

  it('registers a schema and returns its id; registering again is a cache hit', async () => {
    const counting = countingFetch();
    const client = new RegistryClient({ url: REGISTRY, fetch: counting.fetch });
    schemaId = await client.register(subject, schema);
    assert.ok(Number.isInteger(schemaId) && schemaId >= 0, `id ${schemaId}`);
    assert.equal(counting.requests.length, 1);
    assert.match(counting.requests[0]!, /^POST .*\/subjects\/kms-it-avro-.*\/versions$/);
    // Same schema, keys in another order: same cache entry, no request.
    const reordered = reverseKeys(schema) as object;
    assert.notEqual(JSON.stringify(reordered), JSON.stringify(schema));
    assert.equal(await client.register(subject, reordered), schemaId);
    assert.equal(await client.register(subject, JSON.stringify(schema)), schemaId);
    assert.equal(counting.requests.length, 1);
    // A fresh client asks the registry, which answers with the existing id.
    assert.equal(await new RegistryClient({ url: REGISTRY }).register(subject, schema), schemaId);
  });

  it('fetches by id once; later and concurrent calls are served from the cache', async () => {
    const counting = countingFetch();
    const client = new RegistryClient({ url: REGISTRY, fetch: counting.fetch });
    const [a, b, c] = await Promise.all([
      client.schemas.get(schemaId),
      client.schemas.get(schemaId),
      client.schemas.get(schemaId),
    ]);
    assert.equal(a, b);
    assert.equal(b, c);
    assert.equal(counting.requests.length, 1);
    assert.equal(await client.schemas.get(schemaId), a);
    assert.equal(client.schemas.known(schemaId), a);
    assert.equal(counting.requests.length, 1);
    assert.equal(counting.requests[0], `GET ${REGISTRY.replace(/\/+$/, '')}/schemas/ids/${schemaId}`);

    // The fetched schema keeps its logical types: decode a message end to end and build the table model.
    const decoder = new RecordDecoder(client.schemas);
    const value = { id: 'p-1', amount: '-1234.50', at: '2024-01-31 13:45:10.123456', seq: 2n ** 60n, note: null };
    const decoded = await decoder.decode(encodeWire(schemaId, a.toBuffer(value)));
    const model = buildColumnModel(decoded.type, { provenance: true });
    assert.deepEqual(
      model.columns.map((col) => col.sqlType),
      ['VARCHAR(255)', 'DECIMAL(12,2)', 'DATETIME(6)', 'BIGINT', 'VARCHAR(255)', 'INT', 'BIGINT', 'DATETIME(3)'],
    );
    assert.deepEqual(model.toRow(decoded.value, { partition: 1, offset: 5, timestamp: 0 }), [
      'p-1',
      '-1234.50',
      '2024-01-31 13:45:10.123456',
      2n ** 60n,
      null,
      1,
      5,
      '1970-01-01 00:00:00.000',
    ]);
    assert.equal(counting.requests.length, 1);
  });

  it('gets the latest version of a subject', async () => {
    const latest = await new RegistryClient({ url: REGISTRY }).getLatest(subject);
    assert.equal(latest.id, schemaId);
    assert.equal(latest.subject, subject);
    assert.ok(latest.version >= 1);
    assert.equal(latest.type.typeName, 'record');
  });

  it('an unknown id or subject is SCHEMA_NOT_FOUND, not retriable, and not cached', async () => {
    const counting = countingFetch();
    const client = new RegistryClient({ url: REGISTRY, fetch: counting.fetch });
    const unknown = 2_000_000_000;
    await rejectsWith(client.schemas.get(unknown), 'SCHEMA_NOT_FOUND', false, String(unknown));
    await rejectsWith(client.schemas.get(unknown), 'SCHEMA_NOT_FOUND', false);
    assert.equal(counting.requests.length, 2);
    await rejectsWith(client.getLatest(`kms-it-missing-${randomUUID()}`), 'SCHEMA_NOT_FOUND', false, 'kms-it-missing-');
  });

  it('a wrong base path is REGISTRY_UNAVAILABLE (retriable), never SCHEMA_NOT_FOUND', async () => {
    const base = new URL(REGISTRY);
    const client = new RegistryClient({ url: `${base.origin}/not-the-api` });
    await rejectsWith(client.schemas.get(schemaId), 'REGISTRY_UNAVAILABLE', true, 'check the registry URL');
  });

  it("probe: GET /subjects with the client's credentials; a wrong base path is HTTP 404, not retriable", async () => {
    const sent: { url: string; authorization: string | null }[] = [];
    const recording: typeof fetch = (input, init) => {
      sent.push({ url: String(input), authorization: new Headers(init?.headers).get('authorization') });
      return fetch(input, init);
    };
    const withCredentials = REGISTRY.replace('://', '://alice:s3cret@');
    await new RegistryClient({ url: withCredentials, fetch: recording }).probe();
    assert.deepEqual(sent, [
      { url: `${REGISTRY}/subjects`, authorization: `Basic ${Buffer.from('alice:s3cret').toString('base64')}` },
    ]);

    const base = new URL(REGISTRY);
    await rejectsWith(
      new RegistryClient({ url: `${base.origin}/not-the-api` }).probe(),
      'REGISTRY_UNAVAILABLE',
      false,
      'HTTP 404',
    );
  });

  it('rejects an invalid schema on register with SCHEMA_INVALID', async () => {
    const client = new RegistryClient({ url: REGISTRY });
    await rejectsWith(client.register(subject, '{not json'), 'SCHEMA_INVALID', false);
  });
});

describe('RegistryClient when the registry cannot be reached', () => {
  let silent: Server;
  const sockets = new Set<Socket>();

  before(async () => {
    // Accepts connections and never answers: a hung registry.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('an unreachable registry (http://127.0.0.1:1) is REGISTRY_UNAVAILABLE, retriable, naming the URL', async () => {
    const client = new RegistryClient({ url: 'http://127.0.0.1:1' });
    await rejectsWith(client.schemas.get(1), 'REGISTRY_UNAVAILABLE', true, 'http://127.0.0.1:1/schemas/ids/1');
    await rejectsWith(client.register('s', { type: 'string' }), 'REGISTRY_UNAVAILABLE', true, 'http://127.0.0.1:1');
    await rejectsWith(client.getLatest('s'), 'REGISTRY_UNAVAILABLE', true, 'http://127.0.0.1:1');
  });

  it('connection refused is REGISTRY_UNAVAILABLE, retriable, with the socket error', async () => {
    const port = await freePort();
    const client = new RegistryClient({ url: `http://127.0.0.1:${port}/apis/ccompat/v7` });
    await rejectsWith(
      client.schemas.get(3),
      'REGISTRY_UNAVAILABLE',
      true,
      `http://127.0.0.1:${port}/apis/ccompat/v7/schemas/ids/3`,
      'ECONNREFUSED',
    );
  });

  it('probe: refused or silent is REGISTRY_UNAVAILABLE and retriable (start-up waits for it)', async () => {
    const port = await freePort();
    await rejectsWith(
      new RegistryClient({ url: `http://127.0.0.1:${port}` }).probe(),
      'REGISTRY_UNAVAILABLE',
      true,
      'ECONNREFUSED',
    );
    const { port: silentPort } = silent.address() as { port: number };
    await rejectsWith(
      new RegistryClient({ url: `http://127.0.0.1:${silentPort}` }).probe(300),
      'REGISTRY_UNAVAILABLE',
      true,
      'no answer within 300 ms',
    );
  });

  it('credentials in the URL never appear in errors', async () => {
    const client = new RegistryClient({ url: 'http://alice:s3cret@127.0.0.1:1/apis/ccompat/v7' });
    assert.equal(client.url, 'http://127.0.0.1:1/apis/ccompat/v7');
    await assert.rejects(client.schemas.get(1), (error: unknown) => {
      assert.ok(isSinkError(error, 'REGISTRY_UNAVAILABLE'));
      assert.ok(!error.message.includes('s3cret') && !error.message.includes('alice'), error.message);
      return true;
    });
  });

  it('a registry that does not answer times out as REGISTRY_UNAVAILABLE, retriable', async () => {
    const { port } = silent.address() as { port: number };
    const client = new RegistryClient({ url: `http://127.0.0.1:${port}/apis/ccompat/v7`, timeoutMs: 300 });
    const started = Date.now();
    await rejectsWith(
      client.schemas.get(1),
      'REGISTRY_UNAVAILABLE',
      true,
      'no answer within 300 ms',
      `127.0.0.1:${port}`,
    );
    assert.ok(Date.now() - started < 5_000);
  });
});
