import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPortOpen } from '../../kit/stack/process-control.ts';
import { IsolatedStack } from './helpers/isolated-stack.ts';
import { describeRun } from './helpers/kms-cli.ts';
import { SinkScenario } from './helpers/sink-harness.ts';
import {
  assertExactlyOnce,
  assertVerifyPasses,
  linesWith,
  produceInBackground,
  storedTotal,
  waitForAllProduced,
} from './helpers/sink-checks.ts';
import { startSinkWithStatus } from './helpers/sink-status-client.ts';
import { isAlive, waitFor } from './helpers/wait.ts';

/**
 * A real database outage: the MariaDB server itself is stopped (SIGTERM by its pid: it closes every
 * connection and refuses new ones) while the sink drains, stays down for 20 s, and is started again.
 * The sink must ride it out on its own (retry with backoff, backpressure while its queues are full) and
 * end exactly once per partition, and show the outage while it lasts: /healthz 503 naming the database
 * once the grace is over, the partitions waiting_for_database, kms_dependency_up 0; all back after.
 * Stopping a server stops every test using it, so this file runs a MariaDB server of its own (own stack
 * folder, port 20000 + the stack's MariaDB port, so stacks side by side do not collide) and points the
 * harness at it.
 */
const offsetPort = (name: string, fallback: number): number => 20_000 + Number(process.env[name] ?? fallback);
const PORT = offsetPort('KMS_MARIADB_PORT', 7591);
const GRACE_MS = 3_000;
const OUTAGE_MS = 20_000;
const UP = ['stack', 'up', '--only', 'mariadb'];
const RETRYING = 'transient failure, batch rolled back; retrying';

const server = new IsolatedStack('db-outage', {
  kafkaFirstPort: offsetPort('KMS_KAFKA_FIRST_PORT', 9591),
  registryPort: offsetPort('KMS_REGISTRY_PORT', 8591),
  mariadbPort: PORT,
});
const scenario = new SinkScenario(1, 3, 'kms_outage');
const [TOPIC] = scenario.topics as [string];

before(async () => {
  const up = await server.kms(UP);
  assert.equal(up.code, 0, describeRun(UP, up));
  // The harness reads its server from the environment, as `./kms test` passes the stack's.
  Object.assign(process.env, {
    KMS_MYSQL_ADMIN_HOST: '127.0.0.1',
    KMS_MYSQL_ADMIN_PORT: String(PORT),
    KMS_MYSQL_ADMIN_USER: 'root',
    KMS_MYSQL_ADMIN_PASSWORD: '',
  });
  await scenario.setup();
});
after(() => server.restoreAndCleanUp(PORT, UP, scenario));

test('the database server stopped for 20 s mid-drain and started again: the sink recovers by itself, exactly once', {
  timeout: 360_000,
}, async (t) => {
  const { sink, status } = await startSinkWithStatus(
    scenario,
    {
      'sink.batch.max.records': 200,
      'sink.retry.initial.ms': 50,
    },
    GRACE_MS,
  );
  await scenario.produceSequenced(TOPIC, 2_000);
  await scenario.waitForOffsets(TOPIC, () => 2_000, 60_000);
  assert.equal((await status.health()).status, 200, 'healthy before the outage');

  // Records keep arriving before, during and after the outage: the server goes away mid-drain.
  const producing = produceInBackground(scenario, 100, 50);
  const written = await storedTotal(scenario);
  await waitFor('the sink writing the new records', async () => (await storedTotal(scenario)) >= written + 1_000, {
    timeoutMs: 60_000,
  });
  const pid = server.pid('mariadb/mariadb.pid');
  process.kill(pid, 'SIGTERM');
  await waitFor('MariaDB to shut down', () => !isAlive(pid), { timeoutMs: 60_000, intervalMs: 50 });
  const downAt = Date.now();
  assert.equal(await isPortOpen(PORT), false, `nothing answers on ${PORT} during the outage`);

  // The outage is visible: 503 with the reason once the grace is over, and why each partition waits.
  const health = await status.healthBecomes(503, '/healthz 503 naming the database', GRACE_MS + 15_000);
  // Counted from the first failure the sink saw, which comes before the server has finished stopping.
  const unhealthyAfterMs = Date.now() - downAt;
  const reason = health.body.reasons[0] ?? '';
  assert.match(reason, /^database has not answered for \d+ s \(grace 3 s\): /);
  assert.ok(Number(/for (\d+) s/.exec(reason)?.[1]) >= 3, reason);
  let states: string[] = [];
  await waitFor('a partition waiting_for_database', async () => {
    states = await status.states();
    return states.includes('waiting_for_database');
  });
  assert.ok(
    states.every((s) => ['waiting_for_database', 'backpressure', 'running'].includes(s)),
    `states during the outage: ${states}`,
  );
  const metrics = await status.metrics();
  assert.match(metrics, /^kms_dependency_up\{dependency="database"\} 0$/m);
  assert.match(metrics, /^kms_dependency_up\{dependency="kafka"\} 1$/m);
  assert.match(metrics, /^kms_partition_state\{topic="[^"]+",partition="\d",state="waiting_for_database"\} 1$/m);
  t.diagnostic(`/healthz 503 after ${unhealthyAfterMs} ms; partition states ${states.join(', ')}`);
  await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
  assert.ok(sink.running, `the sink is still running after ${OUTAGE_MS} ms without its database`);

  const up = await server.kms(UP);
  assert.equal(up.code, 0, describeRun(UP, up));
  const restarted = server.pid('mariadb/mariadb.pid');
  assert.notEqual(restarted, pid, 'a new server process');
  t.diagnostic(`server pid ${pid} stopped, down ${Date.now() - downAt} ms, restarted as pid ${restarted}`);
  await sleep(2_000);
  const rounds = await producing.stop();
  await waitForAllProduced(scenario, 180_000);
  await waitFor('/healthz 200 again', async () => (await status.health()).status === 200, { timeoutMs: 30_000 });
  assert.deepEqual(await status.states(), ['running', 'running', 'running'], 'every partition running again');
  assert.match(await status.metrics(), /^kms_dependency_up\{dependency="database"\} 1$/m);

  const retries = linesWith(sink, RETRYING).length;
  t.diagnostic(`${rounds} production rounds, ${scenario.produced(TOPIC, 0)} records per partition, ${retries} retries`);
  assert.ok(retries > 0, `the failed batches were retried\n${sink.output.slice(-3000)}`);
  assert.ok(sink.running, 'the sink recovered without a restart');
  assert.deepEqual(
    sink.logs().filter((l) => l.level === 'ERROR'),
    [],
    'no ERROR: an outage this short is retried, not given up on',
  );
  assert.equal(await sink.kill('SIGTERM'), 0, sink.output.slice(-3000));
  await assertExactlyOnce(scenario, 'after the outage');
  // Kafka's own end offsets against the database: end offset = kafka_offsets = rows + dead letters.
  await assertVerifyPasses(scenario);
});
