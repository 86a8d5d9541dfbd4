import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const EARLY_STOP = fileURLToPath(new URL('../../../src/app/early-stop.ts', import.meta.url));
const CLI_PROGRAM = fileURLToPath(new URL('../../../src/app/cli-program.ts', import.meta.url));

/** Runs an ES module text in a fresh Node process. */
function runModule(source: string): ReturnType<typeof spawnSync> {
  return spawnSync(process.execPath, ['--input-type=module', '-e', source], { encoding: 'utf8', timeout: 30_000 });
}

test('a stop signal while run is loading is remembered, not fatal, and handed to run', () => {
  const result = runModule(`
    import { listenForEarlyStop, takeEarlyStop } from ${JSON.stringify(EARLY_STOP)};
    listenForEarlyStop();
    process.kill(process.pid, 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 50));
    console.log(takeEarlyStop() ?? 'none');
  `);
  assert.equal(result.signal, null);
  assert.equal(result.status, 0, String(result.stderr));
  assert.equal(String(result.stdout).trim(), 'SIGTERM');
});

test('without an early signal nothing is reported, and afterwards the default behaviour is back', () => {
  const result = runModule(`
    import { listenForEarlyStop, takeEarlyStop } from ${JSON.stringify(EARLY_STOP)};
    listenForEarlyStop();
    console.log(takeEarlyStop() ?? 'none');
    process.kill(process.pid, 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    console.log('still alive');
  `);
  assert.equal(String(result.stdout).trim(), 'none');
  assert.equal(result.signal, 'SIGTERM');
});

test('run with a stop signal from start-up exits 0 before connecting to anything, and says so', () => {
  const result = runModule(`
    import { listenForEarlyStop } from ${JSON.stringify(EARLY_STOP)};
    listenForEarlyStop();
    process.kill(process.pid, 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { productProgram, runProgram } = await import(${JSON.stringify(CLI_PROGRAM)});
    await runProgram(productProgram(), ['node', 'main.ts', 'run', '--set', 'status.port=0']);
  `);
  assert.equal(result.signal, null, String(result.stderr));
  assert.equal(result.status, 0, String(result.stderr));
  assert.match(String(result.stdout), /stop requested during start-up: nothing was started/);
  assert.doesNotMatch(String(result.stdout), /database connected|consuming/);
});
