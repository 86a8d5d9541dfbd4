import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { brokerProcess, stopKafka } from '../../kit/stack/kafka-service.ts';
import { isPortOpen, runningPid } from '../../kit/stack/process-control.ts';
import { bootstrapServers, stackOptions } from '../../kit/stack/stack-options.ts';
import { IsolatedStack } from './helpers/isolated-stack.ts';
import { describeRun, PROJECT_ROOT } from './helpers/kms-cli.ts';
import { SinkScenario } from './helpers/sink-harness.ts';
import { assertExactlyOnce, assertVerifyPasses, storedTotal, waitForAllProduced } from './helpers/sink-checks.ts';
import { startSinkWithStatus } from './helpers/sink-status-client.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * A real Kafka outage: the broker the sink reads from is stopped (by its pid, as `stack down` does)
 * mid-drain, stays down for 20 s while the sink keeps running, and is started again. The sink must show
 * the outage (/healthz 503 naming Kafka once the grace is over, kms_dependency_up{dependency="kafka"} 0),
 * never exit, and when the broker is back be healthy again and finish the drain exactly once.
 * Stopping a broker stops every test using it, so this file runs a broker of its own (own stack folder,
 * ports 21000 + the stack's Kafka port); the schema registry and MariaDB are the shared stack's.
 */
const offsetPort = (name: string, fallback: number): number => 21_000 + Number(process.env[name] ?? fallback);
const GRACE_MS = 3_000;
const OUTAGE_MS = 20_000;
// Enough that the broker's own shutdown (seconds) ends well before the sink could drain it all.
const BACKLOG = 30_000;
const AFTER = 500;
const UP = ['stack', 'up', '--only', 'kafka'];

const server = new IsolatedStack('kafka-outage', {
  kafkaFirstPort: offsetPort('KMS_KAFKA_FIRST_PORT', 9592),
  registryPort: offsetPort('KMS_REGISTRY_PORT', 8592),
});
const options = stackOptions(PROJECT_ROOT, {}, { ...process.env, ...server.env });
const KAFKA_PORT = options.kafkaFirstPort;
const scenario = new SinkScenario(1, 3, 'kms_kafkaout', bootstrapServers(options));

before(async () => {
  const up = await server.kms(UP, {}, { timeoutMs: 180_000 });
  assert.equal(up.code, 0, describeRun(UP, up));
  await scenario.setup();
});
after(() => server.restoreAndCleanUp(KAFKA_PORT, UP, scenario));

test('the broker stopped for 20 s mid-drain and started again: 503 naming Kafka, the sink stays up, exactly once', {
  timeout: 360_000,
}, async (t) => {
  const topic = scenario.topics[0]!;
  await scenario.produceSequenced(topic, BACKLOG);
  const { sink, status } = await startSinkWithStatus(
    scenario,
    {
      // Small batches and a short queue (backpressure pauses the fetch): most of the backlog is still in
      // Kafka when the broker goes away.
      'sink.batch.max.records': 50,
      'blocking.queue.size': 200,
      'sink.retry.initial.ms': 50,
    },
    GRACE_MS,
  );
  let exitedAt: number | undefined;
  void sink.exited.then(() => {
    exitedAt = Date.now();
  });
  await waitFor('the sink writing the backlog', async () => (await storedTotal(scenario)) >= 300, {
    timeoutMs: 60_000,
    intervalMs: 50,
  }).catch((error: Error) => assert.fail(`${error.message}\n${sink.output.slice(-3000)}`));
  assert.equal((await status.health()).status, 200, 'healthy before the outage');

  const pid = runningPid(brokerProcess(options, 1));
  assert.ok(pid !== undefined, 'the broker of this file runs');
  const storedAtStop = await storedTotal(scenario);
  const stopAt = Date.now();
  assert.deepEqual(await stopKafka(options), ['kafka']);
  const downAt = Date.now();
  assert.equal(await isPortOpen(KAFKA_PORT), false, `nothing answers on ${KAFKA_PORT} during the outage`);
  t.diagnostic(
    `broker pid ${pid} stopped (SIGTERM, ${downAt - stopAt} ms to exit) with ${storedAtStop} of ${3 * BACKLOG} records stored`,
  );
  assert.ok(storedAtStop < 3 * BACKLOG, 'stopped mid-drain');

  const health = await status.healthBecomes(503, '/healthz 503 naming Kafka', GRACE_MS + 15_000);
  // Counted from the SIGTERM: the broker's own shutdown is the first failure the sink can see.
  const unhealthyAfterMs = Date.now() - stopAt;
  assert.ok(
    health.body.reasons.some((r) => /^kafka has not answered for \d+ s \(grace 3 s\): /.test(r)),
    JSON.stringify(health.body),
  );
  const metrics = await status.metrics();
  assert.match(metrics, /^kms_dependency_up\{dependency="kafka"\} 0$/m);
  assert.match(metrics, /^kms_dependency_up\{dependency="database"\} 1$/m);
  t.diagnostic(`/healthz 503 ${unhealthyAfterMs} ms after the SIGTERM: ${health.body.reasons.join('; ')}`);

  // Down for the whole outage, checked all along: still 503, and the sink process never exits.
  while (Date.now() - downAt < OUTAGE_MS) {
    assert.equal(exitedAt, undefined, `the sink exited during the outage\n${sink.output.slice(-3000)}`);
    assert.equal((await status.health()).status, 503, 'unhealthy while the broker is down');
    await sleep(500);
  }
  assert.ok(sink.running, `the sink is still running after ${OUTAGE_MS} ms without its broker`);

  const up = await server.kms(UP, {}, { timeoutMs: 180_000 });
  assert.equal(up.code, 0, describeRun(UP, up));
  const upAt = Date.now();
  const storedAtRestart = await storedTotal(scenario);
  assert.ok(storedAtRestart < 3 * BACKLOG, `records left in Kafka for after the outage (${storedAtRestart} stored)`);
  const restarted = runningPid(brokerProcess(options, 1));
  assert.ok(restarted !== undefined && restarted !== pid, 'a new broker process');
  t.diagnostic(
    `broker down ${upAt - downAt} ms (start included), restarted as pid ${restarted}; ${storedAtRestart} records stored by then`,
  );
  await waitFor('/healthz 200 again', async () => (await status.health()).status === 200, {
    timeoutMs: 60_000,
    intervalMs: 100,
  });
  const healthyAfterMs = Date.now() - upAt;
  assert.match(await status.metrics(), /^kms_dependency_up\{dependency="kafka"\} 1$/m);

  // Records produced after the outage arrive too: the consumer really reads from the restarted broker.
  await scenario.produceSequenced(topic, AFTER);
  await waitForAllProduced(scenario, 180_000);
  const drainedAfterMs = Date.now() - upAt;
  t.diagnostic(
    `/healthz 200 ${healthyAfterMs} ms after the broker was back; drain complete after ${drainedAfterMs} ms`,
  );
  assert.equal(exitedAt, undefined, 'the sink never exited');
  assert.deepEqual(await status.states(), ['running', 'running', 'running'], 'every partition running again');
  assert.deepEqual(
    sink.logs().filter((l) => l.level === 'ERROR' || l.level === 'FATAL'),
    [],
    'no ERROR: an outage this short is waited out',
  );
  assert.equal(await sink.kill('SIGTERM'), 0, sink.output.slice(-3000));

  // One row per record, seq in offset order, kafka_offsets = what was produced; then Kafka's own end
  // offsets against the database: end offset = kafka_offsets = rows.
  await assertExactlyOnce(scenario, 'after the Kafka outage');
  await assertVerifyPasses(scenario);
});
