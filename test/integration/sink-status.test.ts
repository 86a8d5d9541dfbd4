import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SinkScenario } from './helpers/sink-harness.ts';
import { freePort } from './helpers/services.ts';
import { waitFor } from './helpers/wait.ts';

const scenario = new SinkScenario(1, 3);
before(() => scenario.setup());
after(() => scenario.cleanup());

test('status page, /status.json, /healthz and Prometheus /metrics describe the running sink', async () => {
  const topic = scenario.topics[0]!;
  const port = await freePort();
  await scenario.produceSequenced(topic, 300);
  const sink = scenario.startSink({ 'status.port': port });
  await scenario.waitForOffsets(topic, () => 300);
  const base = `http://127.0.0.1:${port}`;
  await waitFor('status server', async () => (await fetch(`${base}/healthz`)).ok);

  const health = (await (await fetch(`${base}/healthz`)).json()) as { status: string; partitions: number };
  assert.deepEqual({ status: health.status, partitions: health.partitions }, { status: 'ok', partitions: 3 });

  const partitions = (await (await fetch(`${base}/status.json`)).json()) as {
    topic: string;
    partition: number;
    committedOffset: number;
    state: string;
  }[];
  assert.deepEqual(
    partitions.map((p) => [p.topic, p.partition, p.committedOffset, p.state]),
    [
      [topic, 0, 300, 'running'],
      [topic, 1, 300, 'running'],
      [topic, 2, 300, 'running'],
    ],
  );

  const metrics = await (await fetch(`${base}/metrics`)).text();
  for (let p = 0; p < 3; p++) {
    assert.match(metrics, new RegExp(`kms_records_committed_total\\{topic="${topic}",partition="${p}"\\} 300`));
    assert.match(metrics, new RegExp(`kms_committed_offset\\{topic="${topic}",partition="${p}"\\} 300`));
  }
  assert.match(metrics, /kms_process_resident_memory_bytes/);

  const page = await fetch(`${base}/`);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(await page.text(), /<title>kafka-mysql-sink<\/title>/);
  assert.equal((await fetch(`${base}/nope`)).status, 404);
  assert.doesNotMatch(metrics + JSON.stringify(partitions), /consumer1!/);
  await sink.kill('SIGTERM');
});
