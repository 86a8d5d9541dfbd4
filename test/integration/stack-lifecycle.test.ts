import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IsolatedStack } from './helpers/isolated-stack.ts';
import { describeRun } from './helpers/kms-cli.ts';
import { sequentialSteps } from './helpers/steps.ts';
import { isAlive } from './helpers/wait.ts';
import { isPortOpen } from '../../kit/stack/process-control.ts';

/**
 * `stack up` is idempotent (a second call starts nothing new), `stack status` reports what runs where, and
 * `stack down` stops exactly what the stack started, by pid, then says so when there is nothing left.
 * A stack of its own (temp folder, ports 29191 / 39191 / 28191 / 27191): Kafka, registry and MariaDB.
 */
const KAFKA_PORT = 29191;
const REGISTRY_PORT = 28191;
const MARIADB_PORT = 27191;
const UP = ['stack', 'up'];

describe('stack lifecycle (own stack folder and ports)', { timeout: 300_000 }, () => {
  const step = sequentialSteps();
  let stack: IsolatedStack;
  let kafkaPid: number;
  let registryPid: number;
  let mariadbPid: number;

  before(() => {
    stack = new IsolatedStack('lifecycle', {
      kafkaFirstPort: KAFKA_PORT,
      registryPort: REGISTRY_PORT,
      mariadbPort: MARIADB_PORT,
    });
  });
  after(async () => {
    await stack.cleanUp();
  });

  step('stack up starts MariaDB, Kafka and the registry and prints where they listen', async () => {
    const result = await stack.kms(UP);
    assert.equal(result.code, 0, describeRun(UP, result));
    assert.match(result.stdout, new RegExp(`^kafka +ready +127\\.0\\.0\\.1:${KAFKA_PORT}$`, 'm'));
    assert.match(
      result.stdout,
      new RegExp(`^registry +ready +http://127\\.0\\.0\\.1:${REGISTRY_PORT}/apis/ccompat/v7$`, 'm'),
    );
    assert.match(result.stdout, new RegExp(`^mariadb +ready +127\\.0\\.0\\.1:${MARIADB_PORT}/bank$`, 'm'));
    assert.match(result.stdout, new RegExp(`^state, logs and pid files: ${stack.dir}$`, 'm'));
    kafkaPid = stack.pid('kafka/kafka.pid');
    registryPid = stack.pid('registry/registry.pid');
    mariadbPid = stack.pid('mariadb/mariadb.pid');
    assert.ok(isAlive(kafkaPid) && isAlive(registryPid) && isAlive(mariadbPid), 'the three recorded pids run');
    const response = await fetch(`http://127.0.0.1:${REGISTRY_PORT}/apis/ccompat/v7/subjects`);
    assert.equal(response.status, 200);
    assert.ok(await isPortOpen(MARIADB_PORT), `MariaDB listens on ${MARIADB_PORT}`);
  });

  step('a second stack up starts nothing new: same pid files, same processes', async () => {
    const processesBefore = stack
      .processes()
      .map((p) => p.pid)
      .sort();
    const result = await stack.kms(UP);
    assert.equal(result.code, 0, describeRun(UP, result));
    assert.match(result.stdout, /^kafka +ready/m);
    assert.match(result.stdout, /^registry +ready/m);
    assert.match(result.stdout, /^mariadb +ready/m);
    assert.deepEqual(
      stack
        .pidFiles()
        .map((p) => p.pid)
        .sort(),
      [kafkaPid, registryPid, mariadbPid].sort(),
    );
    assert.equal(stack.pid('kafka/kafka.pid'), kafkaPid);
    assert.equal(stack.pid('registry/registry.pid'), registryPid);
    assert.equal(stack.pid('mariadb/mariadb.pid'), mariadbPid);
    assert.deepEqual(
      stack
        .processes()
        .map((p) => p.pid)
        .sort(),
      processesBefore,
      'no process of this stack was added',
    );
    assert.ok(isAlive(kafkaPid) && isAlive(registryPid) && isAlive(mariadbPid));
  });

  step('stack status shows the three services running with their addresses and pids', async () => {
    const result = await stack.kms(['stack', 'status']);
    assert.equal(result.code, 0, describeRun(['stack', 'status'], result));
    assert.match(result.stdout, new RegExp(`^kafka +running +127\\.0\\.0\\.1:${KAFKA_PORT} +pid ${kafkaPid}$`, 'm'));
    assert.match(
      result.stdout,
      new RegExp(
        `^registry +running +http://127\\.0\\.0\\.1:${REGISTRY_PORT}/apis/ccompat/v7 +pid ${registryPid}$`,
        'm',
      ),
    );
    assert.match(
      result.stdout,
      new RegExp(`^mariadb +running +127\\.0\\.0\\.1:${MARIADB_PORT} +pid ${mariadbPid}$`, 'm'),
    );
  });

  step('stack down stops the three, by pid, and leaves no process of ours', async () => {
    const result = await stack.kms(['stack', 'down']);
    assert.equal(result.code, 0, describeRun(['stack', 'down'], result));
    assert.match(result.stdout, /^stopped: registry, kafka, mariadb$/m);
    assert.equal(isAlive(kafkaPid), false, `kafka pid ${kafkaPid} still alive`);
    assert.equal(isAlive(registryPid), false, `registry pid ${registryPid} still alive`);
    assert.equal(isAlive(mariadbPid), false, `mariadb pid ${mariadbPid} still alive`);
    assert.equal(existsSync(join(stack.dir, 'kafka', 'kafka.pid')), false);
    assert.equal(existsSync(join(stack.dir, 'registry', 'registry.pid')), false);
    assert.equal(existsSync(join(stack.dir, 'mariadb', 'mariadb.pid')), false);
    assert.equal(await isPortOpen(MARIADB_PORT), false, `nothing listens on ${MARIADB_PORT}`);
    assert.deepEqual(stack.processes(), []);
  });

  step('stack down again says nothing was running, and status says stopped', async () => {
    const down = await stack.kms(['stack', 'down']);
    assert.equal(down.code, 0, describeRun(['stack', 'down'], down));
    assert.equal(down.stdout.trim(), 'nothing of ours was running');
    const status = await stack.kms(['stack', 'status']);
    assert.match(status.stdout, new RegExp(`^kafka +stopped +127\\.0\\.0\\.1:${KAFKA_PORT}$`, 'm'));
    assert.match(status.stdout, /^registry +stopped +/m);
    assert.match(status.stdout, new RegExp(`^mariadb +stopped +127\\.0\\.0\\.1:${MARIADB_PORT}$`, 'm'));
  });
});
