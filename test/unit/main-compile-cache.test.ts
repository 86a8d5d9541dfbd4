import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** `node src/main.ts --help` with the given extra environment. */
function help(env: Record<string, string>): ReturnType<typeof spawnSync> {
  const { NODE_DISABLE_COMPILE_CACHE: _disabled, NODE_COMPILE_CACHE: _folder, ...inherited } = process.env;
  return spawnSync(process.execPath, [MAIN, '--help'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...inherited, ...env },
  });
}

/** Files the compile cache names as served from disk without stripping types again. */
function strippedFromCache(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.includes('retrieving transpile cache for StrippedTypeScript') && line.endsWith('success'))
    .map((line) => line.replace(/^.*file:\/\//, '').replace(/\.\.\.success$/, ''));
}

test('the first start fills the compile cache and the next one strips no types', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kms-compile-cache-'));
  try {
    const first = help({ NODE_COMPILE_CACHE: dir });
    assert.equal(first.status, 0, String(first.stderr));
    assert.ok(readdirSync(dir).length > 0, 'the cache folder stays empty');

    const second = help({ NODE_COMPILE_CACHE: dir, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
    assert.equal(second.status, 0, String(second.stderr));
    assert.match(String(second.stdout), /Usage: kms/);
    const cached = strippedFromCache(String(second.stderr));
    assert.ok(cached.includes(MAIN), 'src/main.ts was stripped again');
    assert.ok(
      cached.some((file) => file.endsWith('/src/pipeline/sink-runner.ts')),
      'the pipeline was not served from the cache',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without NODE_COMPILE_CACHE the sink keeps its cache under the temp folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kms-compile-cache-'));
  try {
    const result = help({ TMPDIR: dir });
    assert.equal(result.status, 0, String(result.stderr));
    assert.ok(readdirSync(join(dir, 'node-compile-cache')).length > 0, 'no cache under the temp folder');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a compile cache folder that cannot be used changes nothing but speed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kms-compile-cache-'));
  try {
    const notAFolder = join(dir, 'a-file');
    writeFileSync(notAFolder, 'not a folder');
    const result = help({ NODE_COMPILE_CACHE: notAFolder });
    assert.equal(result.status, 0, String(result.stderr));
    assert.match(String(result.stdout), /Usage: kms/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
