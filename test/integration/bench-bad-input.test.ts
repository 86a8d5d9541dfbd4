import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { describeRun, PROJECT_ROOT, runKms, type KmsResult } from './helpers/kms-cli.ts';
import { mysqlUrl } from './helpers/services.ts';
import { isAlive } from './helpers/wait.ts';

/**
 * Bad bench flags are one usage line (exit 2) before any run starts.
 * `./kms bench --peer` with a broken peer fails with ONE stderr line naming the step and the log file, never
 * hangs, and leaves no Connect worker behind (nothing whose command line points into the run's folder).
 * The worker cases need the Connect kit cached (`.stack/connect/`, gathered by the first `./kms bench
 * --peer`); without it they are skipped rather than downloading ~100 MB inside the test suite.
 * REST port 28383 (worker) and 28384 (taken on purpose).
 */
const BOOTSTRAP = process.env.KMS_BOOTSTRAP_SERVERS ?? '127.0.0.1:9092';
const REGISTRY = process.env.KMS_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const STACK_DIR = process.env.KMS_STACK_DIR ?? join(PROJECT_ROOT, '.stack');
const OUT = join(PROJECT_ROOT, 'kit', 'bench', 'out');
const ENV = {
  KMS_KAFKA_BOOTSTRAP_SERVERS: BOOTSTRAP,
  KMS_KAFKA_SCHEMA_REGISTRY_URL: REGISTRY,
  KMS_MYSQL_URL: mysqlUrl('bank'),
  KMS_CONNECT_PORT: '28383',
  KMS_CONNECT_READY_TIMEOUT_MS: '120000',
};
const BENCH = ['bench', '--only', 'peer', '--records', '900', '--no-docs'];

function kitCached(): boolean {
  const dir = join(STACK_DIR, 'connect');
  if (!existsSync(join(dir, 'worker-4.1.1', '.complete'))) return false;
  const plugins = existsSync(join(dir, 'plugins')) ? readdirSync(join(dir, 'plugins')) : [];
  return ['debezium-jdbc-sink', 'apicurio-avro-converter'].every((name) =>
    plugins.some((folder) => folder.startsWith(name) && existsSync(join(dir, 'plugins', folder, '.complete'))),
  );
}
const skip = kitCached() ? false : 'the Connect kit is not cached yet (run ./kms bench --quick --peer once)';

const runs: string[] = [];
after(() => {
  for (const run of runs) rmSync(join(OUT, run), { recursive: true, force: true });
});

/** Pids of processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(text)) found.push(Number(name));
    } catch {
      /* gone */
    }
  }
  return found.filter((pid) => isAlive(pid));
}

async function failingBench(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ line: string; run: string; result: KmsResult }> {
  const all = [...BENCH, ...args];
  const result = await runKms(all, { ...ENV, ...env }, { timeoutMs: 300_000 });
  const context = describeRun(all, result);
  const run = /bench ([a-z0-9]+):/.exec(result.stdout)?.[1] ?? '';
  if (run !== '') runs.push(run);
  assert.equal(result.code, 1, context);
  assert.equal(result.signal, null, context);
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
  assert.equal(lines.length, 1, `exactly one stderr line\n${context}`);
  assert.notEqual(run, '', `run id printed\n${context}`);
  assert.deepEqual(processesMentioning(join('out', run, 'peer-connect')), [], `no worker left\n${context}`);
  assert.equal(existsSync(join(OUT, run, 'peer-connect', 'connect.pid')), false, `pid file removed\n${context}`);
  assert.match(result.stdout, /cleaned up/, `the bench cleaned up\n${context}`);
  return { line: lines[0]!, run, result };
}

describe('bench --peer with bad input', () => {
  it('names the download step and its log when Maven cannot gather the worker', async () => {
    const { line } = await failingBench(['--peer-set', 'tasks=1'], { KMS_CONNECT_VERSION: '0.0.1' });
    assert.match(
      line,
      /^kms: bench peer: gathering Kafka Connect and its plugins: connect: worker 0\.0\.1: download from Maven Central failed; log: \S+download-connect-worker-0\.0\.1\.log$/,
    );
  });

  it('rejects a bad --peer-set before creating anything', async () => {
    const result = await runKms([...BENCH, '--peer-set', 'tasks=zero'], ENV, { timeoutMs: 60_000 });
    assert.equal(result.code, 2, describeRun(BENCH, result));
    assert.equal(result.stderr.trim(), 'kms: --peer-set "tasks=zero": tasks must be a whole number from 1 to 64');
    assert.doesNotMatch(result.stdout, /provisioned/);
  });

  it('says the worker exited during start-up, with the cause and its log', { skip }, async () => {
    const { line, run } = await failingBench(['--peer-set', 'worker.plugin.discovery=banana']);
    assert.match(
      line,
      /^kms: bench peer: starting the worker: connect: worker peer-\w+ exited during start-up \(.*Invalid plugin\.discovery value.*\); log: \S+connect\.log$/,
    );
    assert.ok(line.includes(join('out', run, 'peer-connect', 'connect.log')));
  });

  it('says the REST port is taken instead of starting a second worker on it', { skip }, async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(28384, '127.0.0.1', resolve));
    try {
      const { line } = await failingBench([], { KMS_CONNECT_PORT: '28384' });
      assert.match(
        line,
        /^kms: bench peer: starting the worker: connect: REST port 28384 is already in use .*KMS_CONNECT_PORT; log: \S+$/,
      );
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('reads the failed task from REST and names its root cause', { skip }, async () => {
    const { line } = await failingBench(['--peer-set', 'tasks=1', '--peer-set', 'connector.connection.password=wrong']);
    assert.match(
      line,
      /^kms: bench peer: (starting the connector|draining): connect: connector peer-\w+ task 0 FAILED: .*Access denied for user.*; log: \S+connect\.log$/,
    );
  });
});

describe('bench flags with bad values', () => {
  for (const [flag, value, range] of [
    ['--latency-rate', '50', '100 to 10000000'],
    ['--latency-rate', 'fast', '100 to 10000000'],
    ['--latency-rate', '7500.5', '100 to 10000000'],
    ['--records', '0', '9 to 100000000'],
  ] as const) {
    it(`${flag} ${value}: one usage line, exit 2, no run started`, async () => {
      const args = ['bench', '--no-docs', flag, value];
      const result = await runKms(args, ENV, { timeoutMs: 60_000 });
      assert.equal(result.code, 2, describeRun(args, result));
      assert.equal(
        result.stderr.trim(),
        `kms: option '${flag} <n>' argument '${value}' is invalid. expected a whole number from ${range} (see kms bench --help)`,
      );
      assert.doesNotMatch(result.stdout, /bench [a-z0-9]+:/, 'no run id: nothing was created');
    });
  }
});
