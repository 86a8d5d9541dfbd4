import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IsolatedStack } from './helpers/isolated-stack.ts';
import { describeRun } from './helpers/kms-cli.ts';
import { consumeAll, createTopic, describeTopic, produceAll, type TestRecord } from './helpers/kafka-client.ts';
import { uniqueName } from './helpers/unique.ts';
import { sequentialSteps } from './helpers/steps.ts';
import { isAlive, waitFor } from './helpers/wait.ts';

/**
 * `stack up --brokers 3` is a real 3-node KRaft cluster: a topic with replication factor 3 and
 * min.insync.replicas 2 keeps serving reads and acks=all writes after one broker is killed, and
 * `stack down` then stops what is left. Own stack folder; brokers on 29091-29093, controllers 39091-39093.
 */
const FIRST_PORT = 29091;
const BOOTSTRAP = `127.0.0.1:${FIRST_PORT},127.0.0.1:${FIRST_PORT + 1},127.0.0.1:${FIRST_PORT + 2}`;
const PARTITIONS = 3;
const ACKS_ALL = { 'request.required.acks': -1, 'enable.idempotence': true } as const;

function records(from: number, count: number): TestRecord[] {
  return Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: `value-${from + i}` }));
}

describe('3-broker cluster survives the loss of one broker', { timeout: 600_000 }, () => {
  const step = sequentialSteps();
  let stack: IsolatedStack;
  const topic = uniqueName('kms_cluster');
  let nodePids: number[] = [];

  // An id starting with '-' once read as an option to Kafka's storage tool (1 id in 64): pin one here.
  const clusterId = '-KmsClusterIdDash0123w';
  before(() => {
    stack = new IsolatedStack('cluster', { kafkaFirstPort: FIRST_PORT, registryPort: 28091 });
    writeFileSync(join(stack.dir, 'kafka-cluster-3.id'), clusterId);
  });
  after(async () => {
    await stack.cleanUp();
  });

  step('stack up --brokers 3 starts three brokers, each with its own pid file', async () => {
    const args = ['stack', 'up', '--brokers', '3', '--only', 'kafka'];
    const result = await stack.kms(args);
    assert.equal(result.code, 0, describeRun(args, result));
    assert.match(result.stdout, new RegExp(`^kafka +ready +${BOOTSTRAP.replaceAll('.', '\\.')}$`, 'm'));
    nodePids = [1, 2, 3].map((node) => stack.pid(`kafka-3x-node${node}/kafka.pid`));
    assert.equal(new Set(nodePids).size, 3);
    for (const node of [1, 2, 3]) {
      const meta = readFileSync(join(stack.dir, `kafka-3x-node${node}`, 'data', 'meta.properties'), 'utf8');
      assert.match(meta, new RegExp(`^cluster\\.id=${clusterId}$`, 'm'), `node ${node} formatted with the kept id`);
    }
    for (const pid of nodePids) assert.ok(isAlive(pid), `broker pid ${pid} runs`);

    const status = await stack.kms(['stack', 'status']);
    assert.equal(status.code, 0, describeRun(['stack', 'status'], status));
    assert.match(
      status.stdout,
      new RegExp(`^kafka +running +${BOOTSTRAP.replaceAll('.', '\\.')} +pid ${nodePids.join(',')}$`, 'm'),
    );
  });

  step('creates a topic with replication factor 3 and min.insync.replicas 2, all replicas in sync', async () => {
    await createTopic(BOOTSTRAP, {
      topic,
      num_partitions: PARTITIONS,
      replication_factor: 3,
      config: { 'min.insync.replicas': '2' },
    });
    await waitFor(
      `all replicas of ${topic} in sync`,
      async () => {
        const description = await describeTopic(BOOTSTRAP, topic);
        return (
          description.partitions.length === PARTITIONS &&
          description.partitions.every((p) => p.replicas.length === 3 && p.isr.length === 3 && p.leader !== null)
        );
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  });

  step('produces with acks=all', async () => {
    await produceAll(BOOTSTRAP, topic, records(0, 30), ACKS_ALL);
  });

  step(
    'after broker 2 is killed (SIGKILL by its pid file) every record is still read and acks=all writes still succeed',
    async () => {
      const victim = stack.pid('kafka-3x-node2/kafka.pid');
      process.kill(victim, 'SIGKILL');
      await waitFor(`broker 2 (pid ${victim}) to exit`, () => !isAlive(victim), { timeoutMs: 10_000 });

      const first = await consumeAll(BOOTSTRAP, topic, PARTITIONS, 30, 90_000);
      assert.deepEqual(
        first.map((r) => r.value).sort(),
        records(0, 30)
          .map((r) => r.value)
          .sort(),
      );

      // 2 replicas left = min.insync.replicas: acks=all must still be accepted.
      await produceAll(BOOTSTRAP, topic, records(30, 30), ACKS_ALL, 90_000);
      const all = await consumeAll(BOOTSTRAP, topic, PARTITIONS, 60, 60_000);
      assert.equal(all.length, 60);
      assert.deepEqual(
        all.map((r) => r.value).sort(),
        records(0, 60)
          .map((r) => r.value)
          .sort(),
      );
      for (const record of all) assert.equal(record.value, `value-${record.key.slice(1)}`);

      const description = await describeTopic(BOOTSTRAP, topic);
      for (const partition of description.partitions) {
        assert.notEqual(partition.leader?.id, 2, `partition ${partition.partition} is not led by the dead broker`);
      }
    },
  );

  step('stack down stops the remaining brokers; no pid from the pid files is alive', async () => {
    const result = await stack.kms(['stack', 'down'], {}, { timeoutMs: 180_000 });
    assert.equal(result.code, 0, describeRun(['stack', 'down'], result));
    assert.match(result.stdout, /^stopped: kafka-node3, kafka-node1$/m);
    for (const pid of nodePids) assert.equal(isAlive(pid), false, `broker pid ${pid} still alive`);
    assert.deepEqual(stack.pidFiles(), []);
    assert.deepEqual(stack.processes(), []);
  });
});
