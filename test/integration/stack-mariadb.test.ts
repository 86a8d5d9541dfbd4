import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { SINK_DATABASE, SINK_PASSWORD, SINK_USER } from '../../kit/stack/mariadb-service.ts';
import { isPortOpen } from '../../kit/stack/process-control.ts';
import { IsolatedStack } from './helpers/isolated-stack.ts';
import { describeRun } from './helpers/kms-cli.ts';
import { sequentialSteps } from './helpers/steps.ts';
import { isAlive } from './helpers/wait.ts';

/**
 * The stack's own MariaDB server on its own (`--only mariadb`): started once with its data folder, port,
 * socket, pid file and log under the stack folder, answering real queries on loopback; a second `up`
 * starts nothing; `down` stops it by pid; the next `up` starts on the same data. Then the same server
 * plays a machine's server for a second stack with KMS_MARIADB=external, which must use it and never
 * stop it. Own stack folders, port 27491.
 */
const PORT = 27491;
const UP = ['stack', 'up', '--only', 'mariadb'];
const KEPT_TABLE = 'kept_across_restarts';

function connect(user: string, password: string, database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: '127.0.0.1',
    port: PORT,
    user,
    password,
    ...(database === undefined ? {} : { database }),
  });
}

async function query<T extends mysql.RowDataPacket>(
  connection: mysql.Connection,
  sql: string,
  parameters: unknown[] = [],
): Promise<T[]> {
  try {
    const [rows] = await connection.query<T[]>(sql, parameters);
    return rows;
  } finally {
    await connection.end();
  }
}

describe("the stack's own MariaDB server (own stack folder, port 27491)", { timeout: 300_000 }, () => {
  const step = sequentialSteps();
  let stack: IsolatedStack;
  let external: IsolatedStack;
  let pid: number;

  before(() => {
    stack = new IsolatedStack('mariadb', { kafkaFirstPort: 29491, registryPort: 28491, mariadbPort: PORT });
    external = new IsolatedStack('mariadb-external', { kafkaFirstPort: 29491, registryPort: 28491 });
  });
  after(async () => {
    await external.cleanUp();
    await stack.cleanUp();
  });

  step('stack up --only mariadb initialises and starts it, under the stack folder, on loopback', async () => {
    const result = await stack.kms(UP);
    assert.equal(result.code, 0, describeRun(UP, result));
    assert.match(result.stdout, new RegExp(`^mariadb +ready +127\\.0\\.0\\.1:${PORT}/${SINK_DATABASE}$`, 'm'));
    assert.doesNotMatch(result.stdout, /^(kafka|registry) /m, 'only MariaDB was asked for');
    pid = stack.pid('mariadb/mariadb.pid');
    assert.ok(isAlive(pid));
    assert.deepEqual(
      stack.pidFiles().map((p) => p.pid),
      [pid],
      'MariaDB is the only process of the stack',
    );
    assert.deepEqual(
      stack.processes().map((p) => p.pid),
      [pid],
    );
    const dir = join(stack.dir, 'mariadb');
    const [server] = await query(
      await connect('root', ''),
      'SELECT @@port AS port, @@bind_address AS bind, @@datadir AS datadir, @@socket AS socket, @@pid_file AS pidFile, @@log_error AS log, @@innodb_flush_log_at_trx_commit AS flush',
    );
    assert.deepEqual(
      { ...server },
      {
        port: PORT,
        bind: '127.0.0.1',
        datadir: `${join(dir, 'data')}/`,
        socket: join(dir, 'mysqld.sock'),
        pidFile: join(dir, 'mariadb.pid'),
        log: join(dir, 'mariadb.log'),
        flush: 1,
      },
    );
    assert.ok(existsSync(join(dir, 'mariadb.log')));
  });

  step(`the sink's user owns \`${SINK_DATABASE}\` and the kms_* scratch databases`, async () => {
    await query(
      await connect(SINK_USER, SINK_PASSWORD, SINK_DATABASE),
      `CREATE TABLE ${KEPT_TABLE} (id INT PRIMARY KEY, note VARCHAR(20) NOT NULL)`,
    );
    await query(await connect(SINK_USER, SINK_PASSWORD, SINK_DATABASE), `INSERT INTO ${KEPT_TABLE} VALUES (1, 'kept')`);
    await query(await connect(SINK_USER, SINK_PASSWORD), 'CREATE DATABASE kms_stack_mariadb_scratch');
    await query(await connect(SINK_USER, SINK_PASSWORD), 'DROP DATABASE kms_stack_mariadb_scratch');
    await assert.rejects(connect(SINK_USER, 'wrong password'), /Access denied/);
  });

  step('a second stack up starts nothing new; stack status shows it with port and pid', async () => {
    const result = await stack.kms(UP);
    assert.equal(result.code, 0, describeRun(UP, result));
    assert.match(result.stdout, /^mariadb +ready/m);
    assert.equal(stack.pid('mariadb/mariadb.pid'), pid);
    assert.deepEqual(
      stack.processes().map((p) => p.pid),
      [pid],
    );
    const status = await stack.kms(['stack', 'status']);
    assert.equal(status.code, 0, describeRun(['stack', 'status'], status));
    assert.match(status.stdout, new RegExp(`^mariadb +running +127\\.0\\.0\\.1:${PORT} +pid ${pid}$`, 'm'));
    assert.match(status.stdout, /^kafka +stopped/m);
  });

  step(
    'KMS_MARIADB=external: another stack uses that server as a machine server, starts and stops nothing',
    async () => {
      const env = { KMS_MARIADB: 'external', KMS_MYSQL_ADMIN_PORT: String(PORT) };
      const up = await external.kms(UP, env);
      assert.equal(up.code, 0, describeRun(UP, up));
      assert.match(up.stdout, new RegExp(`^mariadb +ready +127\\.0\\.0\\.1:${PORT}/${SINK_DATABASE}$`, 'm'));
      assert.deepEqual(external.pidFiles(), [], 'the external stack started no process');
      const status = await external.kms(['stack', 'status'], env);
      assert.match(status.stdout, new RegExp(`^mariadb +external +127\\.0\\.0\\.1:${PORT}$`, 'm'));
      const down = await external.kms(['stack', 'down'], env);
      assert.equal(down.code, 0, describeRun(['stack', 'down'], down));
      assert.equal(down.stdout.trim(), 'nothing of ours was running');
      assert.ok(isAlive(pid), 'the external server still runs');
    },
  );

  step('stack down --only mariadb stops it by pid: no process, no pid file, port closed', async () => {
    const result = await stack.kms(['stack', 'down', '--only', 'mariadb']);
    assert.equal(result.code, 0, describeRun(['stack', 'down'], result));
    assert.equal(result.stdout.trim(), 'stopped: mariadb');
    assert.equal(isAlive(pid), false, `mariadb pid ${pid} still alive`);
    assert.equal(existsSync(join(stack.dir, 'mariadb', 'mariadb.pid')), false);
    assert.equal(await isPortOpen(PORT), false);
    assert.deepEqual(stack.processes(), []);
  });

  step('the next stack up starts on the same data: no second initialisation, the table is still there', async () => {
    const result = await stack.kms(UP);
    assert.equal(result.code, 0, describeRun(UP, result));
    const restarted = stack.pid('mariadb/mariadb.pid');
    assert.notEqual(restarted, pid);
    const rows = await query(await connect(SINK_USER, SINK_PASSWORD, SINK_DATABASE), `SELECT * FROM ${KEPT_TABLE}`);
    assert.deepEqual(
      rows.map((r) => ({ ...r })),
      [{ id: 1, note: 'kept' }],
    );
    const log = readFileSync(join(stack.dir, 'mariadb', 'mariadb.log'), 'utf8');
    assert.equal(log.match(/^kms: initialising /gm)?.length, 1, 'initialised once');
    const down = await stack.kms(['stack', 'down']);
    assert.equal(down.stdout.trim(), 'stopped: mariadb');
    assert.equal(isAlive(restarted), false);
  });
});
