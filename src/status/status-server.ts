import { createServer, type Server } from 'node:http';
import type { SinkRunner } from '../pipeline/sink-runner.ts';

export interface PartitionStatus {
  topic: string;
  partition: number;
  state: string;
  committedOffset: number;
  queued: number;
  committedRecords: number;
  deadLetters: number;
  error?: string;
}

export function partitionStatuses(runner: SinkRunner): PartitionStatus[] {
  return [...runner.pipelines.values()]
    .map((p) => ({
      topic: p.ref.topic,
      partition: p.ref.partition,
      state: p.state,
      committedOffset: p.expectedOffset,
      queued: p.queued,
      committedRecords: p.committedRecords,
      deadLetters: p.deadLetters,
      ...(p.failure ? { error: p.failure.message } : {}),
    }))
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/** `/metrics` (Prometheus), `/healthz` (200 unless a partition failed or the sink is stopping), `/` (status page). */
export function startStatusServer(runner: SinkRunner, host: string, port: number): Promise<Server> {
  const server = createServer(async (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      response.writeHead(200, { 'content-type': runner.metrics.registry.contentType });
      response.end(await runner.metrics.registry.metrics());
    } else if (path === '/healthz') {
      const partitions = partitionStatuses(runner);
      const failed = partitions.filter((p) => p.state === 'failed');
      const healthy = failed.length === 0 && runner.failures.length === 0 && !runner.stopping;
      response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          status: healthy ? 'ok' : 'degraded',
          partitions: partitions.length,
          failed,
          errors: runner.failures,
        }),
      );
    } else if (path === '/status.json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(partitionStatuses(runner)));
    } else if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(STATUS_PAGE);
    } else {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

// A static page polling /status.json: no template engine, nothing user-supplied is interpolated server-side.
const STATUS_PAGE = `<!doctype html><meta charset="utf-8"><title>kafka-mysql-sink</title>
<style>body{font:14px system-ui;margin:2em}table{border-collapse:collapse}
td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}
th{background:#f4f4f4}.failed{color:#b00}.paused{color:#b60}</style>
<h1>kafka-mysql-sink</h1><p id="at"></p>
<table><thead><tr><th>topic</th><th>partition</th><th>state</th><th>committed offset</th><th>records/s</th>
<th>queued</th><th>written</th><th>dead letters</th></tr></thead><tbody id="rows"></tbody></table>
<script>
let last = new Map();
async function tick() {
  const rows = await (await fetch('status.json')).json();
  const body = document.getElementById('rows'); body.textContent = '';
  for (const r of rows) {
    const key = r.topic + '/' + r.partition, prev = last.get(key);
    const rate = prev ? Math.round((r.committedRecords - prev) / 2) : 0; last.set(key, r.committedRecords);
    const tr = body.insertRow(); tr.className = r.state;
    const state = r.state + (r.error ? ': ' + r.error : '');
    const cells = [r.topic, r.partition, state, r.committedOffset, rate, r.queued, r.committedRecords, r.deadLetters];
    for (const v of cells) tr.insertCell().textContent = v;
  }
  document.getElementById('at').textContent = 'updated ' + new Date().toLocaleTimeString();
}
tick(); setInterval(tick, 2000);
</script>`;
