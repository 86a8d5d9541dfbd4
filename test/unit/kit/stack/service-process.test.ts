import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { isSinkError } from '../../../../src/core/errors.ts';
import { refuseForeignPort, stopUnlessReady, waitForService } from '../../../../kit/stack/service-process.ts';

const proc = { name: 'demo', pidFile: '/nonexistent/demo.pid', logFile: '/tmp/demo.log' };

/** Asserts a one-line STACK_FAILED with exactly this message. */
async function stackFailed(promise: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isSinkError(error, 'STACK_FAILED'), String(error));
    assert.equal(error.message, message);
    return true;
  });
}

describe('service start-up', () => {
  it('refuses a port held by a process the stack did not start, naming the setting and the log', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    try {
      await stackFailed(
        refuseForeignPort('demo: port', port, 'KMS_DEMO_PORT', proc.logFile),
        `demo: port ${port} is already in use by a process this stack did not start; free it or set KMS_DEMO_PORT; log: /tmp/demo.log`,
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    await refuseForeignPort('demo: port', port, 'KMS_DEMO_PORT', proc.logFile);
  });

  it('waits for readiness, and says when the service timed out or died, with its log', async () => {
    let probes = 0;
    const wait = {
      timeoutMs: 2_000,
      intervalMs: 10,
      exited: () => 'demo: exited during start-up',
      notReady: () => 'demo: no answer after 2000 ms',
    };
    await waitForService(proc, { ...wait, probe: async () => ++probes >= 3 });
    assert.equal(probes, 3);
    await stackFailed(
      waitForService(proc, { ...wait, timeoutMs: 30, probe: async () => false }),
      'demo: no answer after 2000 ms; log: /tmp/demo.log',
    );
    // A probe that throws counts as not ready yet; a pid that no longer runs ends the wait at once.
    await stackFailed(
      waitForService(proc, { ...wait, pid: 2 ** 22 + 1, probe: () => Promise.reject(new Error('refused')) }),
      'demo: exited during start-up; log: /tmp/demo.log',
    );
  });

  it('passes a ready service through and rethrows the failure of one that is not', async () => {
    let ran = false;
    await stopUnlessReady(proc, 10, async () => {
      ran = true;
    });
    assert.ok(ran);
    await assert.rejects(
      stopUnlessReady(proc, 10, () => Promise.reject(new Error('not ready'))),
      /not ready/,
    );
  });
});
