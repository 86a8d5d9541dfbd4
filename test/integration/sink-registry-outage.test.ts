import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAvroSchema } from '../../src/avro/avro-schema.ts';
import { encodeWire } from '../fixtures/wire-format.ts';
import { SEQUENCED_SCHEMA, SinkScenario, useScenarioBehind } from './helpers/sink-harness.ts';
import { type RawMessage, sequencedFields } from './helpers/sink-records.ts';
import { freePort, REGISTRY } from './helpers/services.ts';
import { TcpProxy } from './helpers/tcp-proxy.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * The schema registry unreachable (a relay in front of it cut) while records with a schema id the sink
 * has not seen yet arrive: the partitions show waiting_for_registry, /healthz answers 503 naming the
 * registry once the grace is over, kms_dependency_up says 0; when the registry is back, the records are
 * written once and everything is healthy again.
 */
const GRACE_MS = 2_000;
const OUTAGE_MS = 12_000;
const scenario = new SinkScenario(1, 2, 'kms_regout');
const registry = new URL(REGISTRY);
const proxy = new TcpProxy(registry.hostname, Number(registry.port));
const V2 = {
  ...SEQUENCED_SCHEMA,
  fields: [...SEQUENCED_SCHEMA.fields, { name: 'region', type: 'string', default: 'none' }],
};

useScenarioBehind(scenario, proxy);

test('registry unreachable: waiting_for_registry, /healthz 503 naming it after the grace; back: written once, healthy', {
  timeout: 180_000,
}, async (t) => {
  const topic = scenario.topics[0]!;
  const statusPort = await freePort();
  const base = `http://127.0.0.1:${statusPort}`;
  const health = async () => {
    const response = await fetch(`${base}/healthz`);
    return { status: response.status, body: (await response.json()) as { reasons: string[] } };
  };
  const states = async () =>
    ((await (await fetch(`${base}/status.json`)).json()) as { state: string }[]).map((p) => p.state);
  const metrics = async () => (await fetch(`${base}/metrics`)).text();

  const sink = scenario.startSink({
    'kafka.schema.registry.url': `http://127.0.0.1:${proxy.port}${registry.pathname}`,
    'status.port': statusPort,
    'status.health.grace.ms': GRACE_MS,
    'sink.retry.initial.ms': 50,
  });
  await scenario.produceSequenced(topic, 100);
  await scenario.waitForOffsets(topic, () => 100);
  assert.equal((await health()).status, 200);

  // A schema the sink has never seen, registered directly; its records arrive while the relay is cut.
  const v2Id = await scenario.registry.register(`${topic}-value`, V2);
  const type = parseAvroSchema(V2);
  const v2: RawMessage[] = [0, 1].flatMap((partition) =>
    Array.from({ length: 10 }, (_, i) => ({
      partition,
      key: null,
      value: encodeWire(v2Id, type.toBuffer({ ...sequencedFields(partition, 100 + i), region: 'north' })),
    })),
  );
  const outage = proxy.outage(OUTAGE_MS);
  const cutAt = Date.now();
  await scenario.produceRaw(topic, v2);

  let seen = await health();
  await waitFor(
    '/healthz 503 naming the registry',
    async () => {
      seen = await health();
      return seen.status === 503;
    },
    { timeoutMs: OUTAGE_MS },
  );
  assert.match(seen.body.reasons[0] ?? '', /^registry has not answered for \d+ s \(grace 2 s\): /);
  await waitFor('both partitions waiting_for_registry', async () =>
    (await states()).every((s) => s === 'waiting_for_registry'),
  );
  assert.match(await metrics(), /^kms_dependency_up\{dependency="registry"\} 0$/m);
  assert.match(await metrics(), /^kms_dependency_up\{dependency="database"\} 1$/m);
  t.diagnostic(`/healthz 503 ${Date.now() - cutAt} ms after the cut`);
  assert.ok(Date.now() - cutAt < OUTAGE_MS, 'seen during the outage');

  await outage;
  await scenario.waitForOffsets(topic, () => 110, 60_000);
  await waitFor('/healthz 200 again', async () => (await health()).status === 200, { timeoutMs: 30_000 });
  assert.deepEqual(await states(), ['running', 'running']);
  assert.match(await metrics(), /^kms_dependency_up\{dependency="registry"\} 1$/m);
  assert.equal(await sink.kill('SIGTERM'), 0, sink.output.slice(-3000));
  const state = await scenario.tableState(topic);
  for (const p of [0, 1]) assert.deepEqual(state.get(p), { rows: 110, distinct: 110, ordered: true, maxSeq: 109 });
  assert.equal((await scenario.deadLetters(topic)).length, 0);
});
