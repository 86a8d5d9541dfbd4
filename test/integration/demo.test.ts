import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRun, runKms } from './helpers/kms-cli.ts';
import { mysqlAddress } from './helpers/mysql-server.ts';
import { BOOTSTRAP, REGISTRY } from './helpers/services.ts';

/**
 * The demo on the stack `./kms test` runs, wherever its ports are: the stack settings it was started with,
 * and the sink's addresses through the environment (config/sink.properties holds the default ports).
 */
const STACK_SETTINGS = [
  'KMS_STACK_DIR',
  'KMS_KAFKA_FIRST_PORT',
  'KMS_REGISTRY_PORT',
  'KMS_MARIADB',
  'KMS_MARIADB_PORT',
];
const ON_THIS_STACK: NodeJS.ProcessEnv = {
  ...Object.fromEntries(
    STACK_SETTINGS.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]]),
  ),
  KMS_KAFKA_BOOTSTRAP_SERVERS: BOOTSTRAP,
  KMS_KAFKA_SCHEMA_REGISTRY_URL: REGISTRY,
  KMS_MYSQL_URL: `jdbc:mysql://${mysqlAddress()}/bank`,
};

test('kms demo: crash halfway, restart, verify passes (README main job, small size)', async () => {
  const args = ['demo', '--records', '200'];
  const run = await runKms(args, ON_THIS_STACK, { timeoutMs: 300_000 });
  assert.equal(run.code, 0, describeRun(args, run));
  assert.match(run.stdout, /killed with SIGKILL/);
  assert.match(run.stdout, /^PASS: 9\/9 partitions match/m);
  assert.match(run.stdout, /DEMO PASS/);
  assert.doesNotMatch(run.stdout + run.stderr, /consumer1!/, 'the password is never printed');
});

test('kms demo --keyed: upserts and deletes by record key survive a kill -9; the table is what the stream says', async () => {
  const args = ['demo', '--keyed', '--records', '300'];
  const run = await runKms(args, ON_THIS_STACK, { timeoutMs: 300_000 });
  assert.equal(run.code, 0, describeRun(args, run));
  assert.match(run.stdout, /killed with SIGKILL/);
  assert.match(run.stdout, /^PASS: 3\/3 partitions match, 300 records exactly once/m);
  assert.match(run.stdout, /^keys: demo_accounts keeps one row per \(account_id\), none twice/m);
  assert.match(run.stdout, /table demo_accounts: (\d+) rows; the stream leaves \1 open accounts/);
  assert.doesNotMatch(run.stdout, /DIFFERENT/);
  assert.match(run.stdout, /DEMO PASS/);
});

test('kms demo: a bad flag is one clear line and exit code 2', async () => {
  const args = ['demo', '--records', 'many'];
  const run = await runKms(args, {});
  assert.equal(run.code, 2, describeRun(args, run));
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.match(run.stderr, /--records/);
});
