import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { IsolatedStack } from './helpers/isolated-stack.ts';
import { describeRun, type KmsResult } from './helpers/kms-cli.ts';
import { isAlive } from './helpers/wait.ts';

/**
 * `stack up` with bad input fails with exit code != 0 and ONE stderr line naming the service and its log
 * file, and leaves no process behind: every pid that showed up in the stack's pid files during the call is
 * gone afterwards, and no process mentions the stack folder. Each case gets a fresh stack folder; all use
 * ports 29291 (controller 39291), 28291 and 27291 (MariaDB), one case at a time.
 */
const KAFKA_PORT = 29291;
const REGISTRY_PORT = 28291;
const MARIADB_PORT = 27291;
const UP = ['stack', 'up', '--only', 'kafka,registry'];

const stacks: IsolatedStack[] = [];
function freshStack(): IsolatedStack {
  const stack = new IsolatedStack('bad-input', {
    kafkaFirstPort: KAFKA_PORT,
    registryPort: REGISTRY_PORT,
    mariadbPort: MARIADB_PORT,
  });
  stacks.push(stack);
  return stack;
}

/** Runs `stack up`, then checks the one-line error and that nothing started by the call survived it. */
async function failingUp(
  stack: IsolatedStack,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ result: KmsResult; line: string; pids: Set<number> }> {
  const before = stack.pidFiles().filter((p) => isAlive(p.pid));
  const { result, pids } = await stack.kmsWatchingPids(args, env);
  const context = describeRun(args, result);
  assert.notEqual(result.code, 0, context);
  assert.equal(result.signal, null, context);
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
  assert.equal(lines.length, 1, `exactly one stderr line\n${context}`);
  assert.deepEqual(
    stack.pidFiles().filter((p) => isAlive(p.pid)),
    before,
    `no new live pid file\n${context}`,
  );
  for (const pid of pids)
    assert.equal(isAlive(pid), false, `pid ${pid} started during the call is still alive\n${context}`);
  assert.deepEqual(stack.processes(), [], `no process of ${stack.dir} left\n${context}`);
  return { result, line: lines[0]!, pids };
}

/** `kms: <service>: <why>; log: <file in this stack's folder>` → the log file. */
function assertNamesServiceAndLog(stack: IsolatedStack, line: string, service: string, why: RegExp): string {
  const match = new RegExp(`^kms: ${service}: (.+); log: (\\S+)$`).exec(line);
  assert.ok(match, `"${line}" names ${service} and a log file`);
  assert.match(match[1]!, why);
  const log = match[2]!;
  assert.ok(log.startsWith(`${stack.dir}/`), `log ${log} lies in the stack folder ${stack.dir}`);
  return log;
}

async function listen(port: number): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}

async function withPortTaken<T>(port: number, body: () => Promise<T>): Promise<T> {
  const server = await listen(port);
  try {
    return await body();
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('stack up with bad input: one clear line, exit code != 0, no orphans', { timeout: 300_000 }, () => {
  after(async () => {
    for (const stack of stacks) await stack.cleanUp();
  });

  it('registry port already taken: fails naming the registry; the Kafka this call started is stopped again', async () => {
    const stack = freshStack();
    const { result, line, pids } = await withPortTaken(REGISTRY_PORT, () => failingUp(stack, UP));
    assert.equal(result.code, 1);
    assertNamesServiceAndLog(stack, line, 'registry', new RegExp(`port ${REGISTRY_PORT} is already in use`));
    assert.match(result.stdout, /^kafka +ready/m, 'Kafka was up before the registry failed');
    assert.ok(pids.size >= 1, 'the Kafka pid was seen during the call');
  });

  for (const [what, port] of [
    ['client', KAFKA_PORT],
    ['controller', KAFKA_PORT + 10_000],
  ] as const) {
    it(`Kafka ${what} port ${port} already taken: fails naming kafka before anything starts`, async () => {
      const stack = freshStack();
      const { result, line, pids } = await withPortTaken(port, () => failingUp(stack, UP));
      assert.equal(result.code, 1);
      const log = assertNamesServiceAndLog(stack, line, 'kafka', new RegExp(`port ${port} is already in use`));
      assert.match(log, /\/kafka\/kafka\.log$/);
      assert.deepEqual([...pids], [], 'nothing was started');
    });
  }

  it('Kafka download fails (unknown version): names kafka and the download log', async () => {
    const stack = freshStack();
    const { result, line } = await failingUp(stack, UP, { KMS_KAFKA_VERSION: '0.0.0-missing' });
    assert.equal(result.code, 1);
    const log = assertNamesServiceAndLog(stack, line, 'kafka', /download .*failed/);
    assert.match(readFileSync(log, 'utf8'), /0\.0\.0-missing/, 'the log says what could not be downloaded');
  });

  it('registry download fails (unknown version): names the registry and its download log; Kafka is stopped again', async () => {
    const stack = freshStack();
    const { result, line, pids } = await failingUp(stack, UP, { KMS_REGISTRY_VERSION: '0.0.0-missing' });
    assert.equal(result.code, 1);
    const log = assertNamesServiceAndLog(stack, line, 'registry', /download .*failed/);
    assert.match(readFileSync(log, 'utf8'), /0\.0\.0-missing/);
    assert.match(result.stdout, /^kafka +ready/m);
    assert.ok(pids.size >= 1, 'the Kafka pid was seen during the call');
  });

  it('registry never ready within its readiness timeout: names the registry and its log; both JVMs are stopped', async () => {
    // 1.5 s is far too short for the registry's JVM (seconds); Kafka keeps the normal wait, so on a busy
    // machine it is still the registry that times out.
    const stack = freshStack();
    const { result, line, pids } = await failingUp(stack, UP, { KMS_REGISTRY_READY_TIMEOUT_MS: '1500' });
    assert.equal(result.code, 1);
    const log = assertNamesServiceAndLog(stack, line, 'registry', /no answer from .* after 1500 ms/);
    assert.ok(existsSync(log), `registry log ${log} exists`);
    assert.match(result.stdout, /^kafka +ready/m, 'Kafka was started and ready in this same call');
    assert.equal(pids.size, 2, `a Kafka and a registry pid were seen during the call: ${[...pids].join(', ')}`);
  });

  it('MariaDB port already taken: fails naming mariadb and the port before anything starts', async () => {
    const stack = freshStack();
    const { result, line, pids } = await withPortTaken(MARIADB_PORT, () => failingUp(stack, ['stack', 'up']));
    assert.equal(result.code, 1);
    const log = assertNamesServiceAndLog(
      stack,
      line,
      'mariadb',
      new RegExp(`port ${MARIADB_PORT} is already in use .*KMS_MARIADB_PORT`),
    );
    assert.match(log, /\/mariadb\/mariadb\.log$/);
    assert.deepEqual([...pids], [], 'nothing was started: MariaDB comes first');
    assert.doesNotMatch(result.stdout, /ready/);
  });

  it('a MariaDB data folder that cannot be initialised: names mariadb, the folder and the log', async () => {
    const stack = freshStack();
    // A file where the data folder belongs: mariadb-install-db cannot create it.
    const datadir = join(stack.dir, 'mariadb', 'data');
    mkdirSync(join(stack.dir, 'mariadb'), { recursive: true });
    writeFileSync(datadir, 'not a data folder\n');
    const { result, line, pids } = await failingUp(stack, ['stack', 'up', '--only', 'mariadb,kafka']);
    assert.equal(result.code, 1);
    const log = assertNamesServiceAndLog(
      stack,
      line,
      'mariadb',
      new RegExp(`could not initialise the data folder ${datadir} \\(.+\\)`),
    );
    assert.match(readFileSync(log, 'utf8'), /mariadb-install-db/, 'the log holds what the initialisation said');
    assert.deepEqual([...pids], [], 'no server and no Kafka were started');
    assert.equal(readFileSync(datadir, 'utf8'), 'not a data folder\n', 'the file in the way is left as it was');
  });

  it('a MariaDB server that cannot start (a data folder without system tables): its reason and its log; nothing left', async () => {
    const stack = freshStack();
    // Marked as initialised but empty: the server starts, finds no privilege tables and aborts.
    mkdirSync(join(stack.dir, 'mariadb', 'data'), { recursive: true });
    writeFileSync(join(stack.dir, 'mariadb', 'data', '.kms-initialised'), '');
    const { result, line, pids } = await failingUp(stack, ['stack', 'up', '--only', 'mariadb']);
    assert.equal(result.code, 1);
    assertNamesServiceAndLog(stack, line, 'mariadb', /^exited during start-up \(Fatal error: .*privilege tables.*\)$/);
    assert.equal(pids.size, 1, `the server's pid was seen during the call: ${[...pids].join(', ')}`);
  });

  it('MariaDB not answering a query within KMS_STACK_READY_TIMEOUT_MS: names mariadb and its log; the server is stopped again', async () => {
    const stack = freshStack();
    // InnoDB alone takes longer than 100 ms to start: the readiness query can not succeed in time.
    const { result, line, pids } = await failingUp(stack, ['stack', 'up', '--only', 'mariadb'], {
      KMS_STACK_READY_TIMEOUT_MS: '100',
    });
    assert.equal(result.code, 1);
    assertNamesServiceAndLog(
      stack,
      line,
      'mariadb',
      new RegExp(`^no answer to a query at 127\\.0\\.0\\.1:${MARIADB_PORT} after 100 ms$`),
    );
    assert.equal(pids.size, 1, `the server's pid was seen during the call: ${[...pids].join(', ')}`);
  });

  it('KMS_MARIADB with an unknown value: exit code 2, one line naming the variable, nothing started', async () => {
    const stack = freshStack();
    const { result, line, pids } = await failingUp(stack, ['stack', 'up'], { KMS_MARIADB: 'machine' });
    assert.equal(result.code, 2);
    assert.match(line, /^kms: KMS_MARIADB must be "own" .* or "external" .*got "machine"$/);
    assert.deepEqual([...pids], []);
  });

  for (const args of [
    ['--brokers', '2'],
    ['--only', 'kafka,nosuch'],
  ]) {
    it(`usage error (${args.join(' ')}): exit code 2, one line, nothing started`, async () => {
      const stack = freshStack();
      const { result, line, pids } = await failingUp(stack, ['stack', 'up', ...args]);
      assert.equal(result.code, 2, describeRun(args, result));
      assert.match(line, /^kms: --(brokers|only)\b.*/);
      assert.deepEqual([...pids], []);
      assert.deepEqual(stack.pidFiles(), []);
    });
  }
});
