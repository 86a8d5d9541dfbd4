import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopStackWorkers } from '../../kit/connect/connect-worker.ts';
import { startDetached } from '../../kit/stack/process-control.ts';
import { stackOptions } from '../../kit/stack/stack-options.ts';
import { isAlive, waitFor } from './helpers/wait.ts';

/**
 * `kms stack down` stops the Connect workers of the stack by their pid files (and nothing else). A
 * long-running stand-in process plays the worker: what is tested is the pid-file bookkeeping, not Connect.
 */
describe('Connect workers of a stack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kms-connect-kit-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stops every worker with a live pid file, by pid, and removes the pid files', async () => {
    const stack = stackOptions(dir, { dir });
    const workers = ['a', 'b'].map((name) => {
      const folder = join(dir, 'connect', name);
      mkdirSync(folder, { recursive: true });
      const proc = { name, pidFile: join(folder, 'connect.pid'), logFile: join(folder, 'connect.log') };
      return { proc, pid: startDetached(proc, 'sleep', ['300'], folder) };
    });
    mkdirSync(join(dir, 'connect', 'plugins'), { recursive: true }); // a cache folder: no pid file, ignored
    for (const { pid } of workers) assert.equal(isAlive(pid), true);
    const stopped = await stopStackWorkers(stack);
    assert.deepEqual(stopped.sort(), ['connect-a', 'connect-b']);
    for (const { pid, proc } of workers) {
      await waitFor(`pid ${pid} gone`, () => !isAlive(pid), { timeoutMs: 10_000 });
      assert.equal(existsSync(proc.pidFile), false);
    }
    assert.deepEqual(await stopStackWorkers(stack), [], 'nothing left to stop');
  });

  it('finds nothing to stop in a stack that never ran Connect', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'kms-connect-none-'));
    try {
      assert.deepEqual(await stopStackWorkers(stackOptions(empty, { dir: empty })), []);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
