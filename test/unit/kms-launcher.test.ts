import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SINK_ENVIRONMENT, SINK_NODE_FLAGS } from '../../src/app/sink-process.ts';

const KMS = fileURLToPath(new URL('../../kms', import.meta.url));

/**
 * `kms run --help` with a preloaded script that prints, as JSON on stderr, the Node flags and the
 * environment the process started with.
 */
function startedSink(env: Record<string, string> = {}): {
  status: number | null;
  flags: string[];
  env: NodeJS.ProcessEnv;
} {
  const dir = mkdtempSync(join(tmpdir(), 'kms-launcher-'));
  try {
    const probe = join(dir, 'probe.cjs');
    writeFileSync(
      probe,
      'process.stderr.write(`PROBE${JSON.stringify({ flags: process.execArgv, env: process.env })}\\n`);',
    );
    const result = spawnSync('bash', [KMS, 'run', '--help'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, NODE_OPTIONS: `--require ${probe}`, ...env },
    });
    const line = result.stderr.split('\n').find((l) => l.startsWith('PROBE'));
    assert.ok(line !== undefined, `the sink did not start: ${result.stderr}`);
    const probed = JSON.parse(line.slice('PROBE'.length)) as { flags: string[]; env: NodeJS.ProcessEnv };
    return { status: result.status, ...probed };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('kms run starts the sink with its V8 limits on the command line and its environment', () => {
  const started = startedSink();
  assert.equal(started.status, 0);
  for (const flag of SINK_NODE_FLAGS) assert.ok(started.flags.includes(flag), `${flag} missing: ${started.flags}`);
  for (const [name, value] of Object.entries(SINK_ENVIRONMENT)) assert.equal(started.env[name], value);
  assert.ok(started.env.NODE_COMPILE_CACHE !== undefined && started.env.NODE_COMPILE_CACHE !== '');
});

test("kms run keeps the operator's own malloc setting", () => {
  const started = startedSink({ MALLOC_MMAP_THRESHOLD_: '262144' });
  assert.equal(started.status, 0);
  assert.equal(started.env.MALLOC_MMAP_THRESHOLD_, '262144');
});
