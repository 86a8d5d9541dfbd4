import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { DependencyMonitor, type Dependency } from '../../../src/pipeline/dependency-monitor.ts';
import { SinkMetrics } from '../../../src/pipeline/sink-metrics.ts';

function monitor(answers: Record<Dependency, () => Promise<void>>, now: () => number) {
  const metrics = new SinkMetrics(false);
  const deps = new DependencyMonitor(
    { probes: answers, graceMs: 10_000, intervalMs: 1_000, probeTimeoutMs: 50 },
    metrics,
    pino({ level: 'silent' }),
    now,
  );
  return { deps, metrics };
}

const up = async (): Promise<void> => {};
const refused = async (): Promise<void> => {
  throw new Error('connect ECONNREFUSED 127.0.0.1:3306');
};

async function dependencyUp(metrics: SinkMetrics): Promise<Record<string, number>> {
  const text = await metrics.registry.getSingleMetricAsString('kms_dependency_up');
  return Object.fromEntries([...text.matchAll(/dependency="(\w+)"\} (\d)/g)].map((m) => [m[1]!, Number(m[2])]));
}

test('a service down longer than the grace is a reason for 503, with its error; it recovers on the next answer', async () => {
  let now = 0;
  let database = refused;
  const { deps, metrics } = monitor({ database: () => database(), kafka: up, registry: up }, () => now);
  await deps.probe();
  assert.deepEqual(await dependencyUp(metrics), { database: 0, kafka: 1, registry: 1 });
  assert.deepEqual(deps.downPastGrace(), [], 'within the grace');
  now = 10_001;
  await deps.probe();
  assert.deepEqual(deps.downPastGrace(), [
    { dependency: 'database', downMs: 10_001, error: 'connect ECONNREFUSED 127.0.0.1:3306' },
  ]);
  database = up;
  await deps.probe();
  assert.deepEqual(deps.down(), []);
  assert.deepEqual(await dependencyUp(metrics), { database: 1, kafka: 1, registry: 1 });
});

test('a probe that never answers (a frozen server) counts as down', async () => {
  const { deps } = monitor({ database: up, kafka: () => new Promise(() => {}), registry: up }, () => 0);
  await deps.probe();
  assert.deepEqual(
    deps.down().map((d) => [d.dependency, d.error]),
    [['kafka', 'no answer within 50 ms']],
  );
});

test('pipelines report what their batches see: down from the first failure, up at the next success', () => {
  let now = 100;
  const { deps } = monitor({ database: up, kafka: up, registry: up }, () => now);
  deps.unreachable('registry', new Error('HTTP 503'));
  now = 20_000;
  deps.unreachable('registry', new Error('HTTP 502'));
  assert.deepEqual(deps.downPastGrace(), [{ dependency: 'registry', downMs: 19_900, error: 'HTTP 502' }]);
  deps.reachable('registry');
  assert.deepEqual(deps.downPastGrace(), []);
});
