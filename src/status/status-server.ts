import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../core/log.ts';
import type { DependencyDown } from '../pipeline/dependency-monitor.ts';
import type { SinkRunner } from '../pipeline/sink-runner.ts';
import { GroupReader } from './group-reader.ts';
import { Heartbeat } from './heartbeat.ts';
import { instanceInfo } from './instance-info.ts';
import { StatusApi } from './status-api.ts';
import { StatusMetrics } from './status-metrics.ts';
import { SAMPLE_INTERVAL_MS, StatusModel } from './status-model.ts';

export interface PartitionStatus {
  topic: string;
  partition: number;
  state: string;
  committedOffset: number;
  queued: number;
  committedRecords: number;
  deadLetters: number;
  error?: string;
  /** Why it is not running: the error of a failed partition, the silent service it waits for. */
  reason?: string;
}

/**
 * Why a service counts as down, for /healthz (with the grace it is past), a waiting partition, and the
 * status page (which shows every instance's view, so it names this one).
 */
export function notAnsweredReason(
  down: DependencyDown,
  context: { readonly graceMs?: number; readonly thisInstance?: boolean } = {},
): string {
  const whom = context.thisInstance === true ? ' this instance' : '';
  const grace = context.graceMs === undefined ? '' : ` (grace ${context.graceMs / 1000} s)`;
  return `${down.dependency} has not answered${whom} for ${Math.round(down.downMs / 1000)} s${grace}: ${down.error}`;
}

export function partitionStatuses(runner: SinkRunner): PartitionStatus[] {
  const down = new Map(runner.dependencies.down().map((d) => [d.dependency as string, d]));
  const waitingReason = (state: string): string | undefined => {
    const dependency = /^waiting_for_(\w+)$/.exec(state)?.[1];
    const d = dependency === undefined ? undefined : down.get(dependency);
    if (dependency === undefined) return undefined;
    return d === undefined ? `a batch is retried until the ${dependency} answers` : notAnsweredReason(d);
  };
  return [...runner.pipelines.values()]
    .map((p) => ({
      topic: p.ref.topic,
      partition: p.ref.partition,
      state: p.state,
      committedOffset: p.expectedOffset,
      queued: p.queued,
      committedRecords: p.committedRecords,
      deadLetters: p.deadLetters,
      ...(p.failure ? { error: p.failure.message, reason: p.failure.message } : {}),
      ...(p.failure === undefined && waitingReason(p.state) !== undefined ? { reason: waitingReason(p.state) } : {}),
    }))
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'page');
const UPLOT_DIR = dirname(fileURLToPath(import.meta.resolve('uplot')));

/** Every file the page is made of: real files (ES modules, CSS), the chart library from node_modules. */
const STATIC_FILES: Readonly<Record<string, readonly [string, string]>> = {
  '/': [join(PAGE_DIR, 'index.html'), 'text/html; charset=utf-8'],
  '/app.js': [join(PAGE_DIR, 'app.js'), 'text/javascript; charset=utf-8'],
  '/render.js': [join(PAGE_DIR, 'render.js'), 'text/javascript; charset=utf-8'],
  '/chart.js': [join(PAGE_DIR, 'chart.js'), 'text/javascript; charset=utf-8'],
  '/style.css': [join(PAGE_DIR, 'style.css'), 'text/css; charset=utf-8'],
  '/vendor/uPlot.esm.js': [join(UPLOT_DIR, 'uPlot.esm.js'), 'text/javascript; charset=utf-8'],
  '/vendor/uPlot.min.css': [join(UPLOT_DIR, 'uPlot.min.css'), 'text/css; charset=utf-8'],
};

interface StatusParts {
  readonly reader: GroupReader;
  readonly heartbeat: Heartbeat;
  timer: NodeJS.Timeout | undefined;
}
const parts = new WeakMap<Server, StatusParts>();

/**
 * `/metrics` (Prometheus), `/healthz` (503 with the reasons while a partition failed, the database, Kafka
 * or the registry has not answered for longer than status.health.grace.ms, or the sink stops), `/` (the
 * status page) with its JSON endpoints under `/api/`, and `/status.json` (this instance's partitions).
 */
export async function startStatusServer(runner: SinkRunner, host: string, port: number, log?: Logger): Promise<Server> {
  const reader = new GroupReader(runner.config);
  let api: StatusApi | undefined;
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://status.invalid');
    const path = url.pathname;
    if (path === '/metrics') {
      response.writeHead(200, { 'content-type': runner.metrics.registry.contentType });
      response.end(await runner.metrics.registry.metrics());
    } else if (path === '/healthz') {
      const partitions = partitionStatuses(runner);
      const failed = partitions.filter((p) => p.state === 'failed');
      const down = runner.dependencies.downPastGrace();
      const reasons = [
        ...down.map((d) => notAnsweredReason(d, { graceMs: runner.dependencies.graceMs })),
        ...failed.map((p) => `partition ${p.topic}/${p.partition} failed: ${p.error ?? 'unknown error'}`),
        ...runner.failures,
        ...(runner.stopping ? ['the sink is stopping'] : []),
      ];
      const healthy = reasons.length === 0;
      response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          status: healthy ? 'ok' : 'degraded',
          reasons,
          partitions: partitions.length,
          failed,
          dependencies: runner.dependencies.down(),
          errors: runner.failures,
        }),
      );
    } else if (path === '/status.json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(partitionStatuses(runner)));
    } else if (path.startsWith('/api/') && api !== undefined) {
      const answer = await api.handle(path, url.searchParams);
      if (answer === undefined) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: `no endpoint ${path}` }));
        return;
      }
      response.writeHead(answer.status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(answer.body));
    } else if (path === '/favicon.ico') {
      response.writeHead(204).end();
    } else if (STATIC_FILES[path] !== undefined) {
      const [file, type] = STATIC_FILES[path];
      try {
        const body = await readFile(file);
        response.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
        response.end(body);
      } catch {
        response.writeHead(500).end();
      }
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const info = instanceInfo(runner.config, (server.address() as AddressInfo).port);
  const localStates = () => partitionStatuses(runner);
  const model = new StatusModel(
    info,
    localStates,
    () => runner.pipelines.values(),
    () => runner.dependencies.down().map((d) => notAnsweredReason(d, { thisInstance: true })),
  );
  api = new StatusApi(reader, model);
  const metrics = new StatusMetrics(runner.metrics.registry);
  const heartbeat = new Heartbeat(reader.pool, info, localStates, log ?? silentLog);
  heartbeat.start();
  const own: StatusParts = { reader, heartbeat, timer: undefined };
  parts.set(server, own);
  let sampling = false;
  const sample = async (): Promise<void> => {
    if (sampling) return;
    sampling = true;
    try {
      model.countLocal();
      const reading = await reader.read();
      model.record(reading);
      metrics.record(reading, localStates());
    } finally {
      sampling = false;
    }
  };
  void sample();
  own.timer = setInterval(() => void sample(), SAMPLE_INTERVAL_MS).unref();
  return server;
}

/** Stops sampling, removes this instance's heartbeat row, closes the side pool and Kafka handle. */
export async function closeStatusServer(server: Server): Promise<void> {
  server.close();
  server.closeAllConnections();
  const own = parts.get(server);
  if (own === undefined) return;
  clearInterval(own.timer);
  await own.heartbeat.stop();
  await own.reader.close();
}

const silentLog = { warn: () => {}, info: () => {} } as unknown as Logger;
