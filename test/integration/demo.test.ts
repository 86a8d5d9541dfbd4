import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRun, runKms } from './helpers/kms-cli.ts';

test('kms demo: crash halfway, restart, verify passes (README main job, small size)', async () => {
  const args = ['demo', '--records', '200'];
  const run = await runKms(args, {}, { timeoutMs: 300_000 });
  assert.equal(run.code, 0, describeRun(args, run));
  assert.match(run.stdout, /killed with SIGKILL/);
  assert.match(run.stdout, /^PASS: 9\/9 partitions match/m);
  assert.match(run.stdout, /DEMO PASS/);
  assert.doesNotMatch(run.stdout + run.stderr, /consumer1!/, 'the password is never printed');
});

test('kms demo: a bad flag is one clear line and exit code 2', async () => {
  const args = ['demo', '--records', 'many'];
  const run = await runKms(args, {});
  assert.equal(run.code, 2, describeRun(args, run));
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.match(run.stderr, /--records/);
});
