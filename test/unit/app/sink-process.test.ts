import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import {
  SINK_ENVIRONMENT,
  SINK_NODE_FLAGS,
  parseEnvironment,
  sinkEnvironment,
  spawnSink,
} from '../../../src/app/sink-process.ts';

/** What a process started by spawnSink prints for `expression` (node -p runs it instead of the sink). */
async function printedBySink(expression: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const child = spawnSink([], { nodeFlags: ['-p', expression], stdio: ['ignore', 'pipe', 'inherit'], env });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  return out.trim();
}

test('the sink starts with malloc held to a fixed mmap threshold', () => {
  assert.deepEqual(SINK_ENVIRONMENT, { MALLOC_MMAP_THRESHOLD_: '131072' });
  assert.ok(SINK_NODE_FLAGS.includes('--max-old-space-size=320'));
});

test('environment lines: names and values, comments and blank lines skipped', () => {
  assert.deepEqual(parseEnvironment('# why\n\nMALLOC_MMAP_THRESHOLD_=131072\n  A_B2=x=y  \n'), {
    MALLOC_MMAP_THRESHOLD_: '131072',
    A_B2: 'x=y',
  });
});

test('an environment line that is not NAME=value is refused, naming the line', () => {
  for (const line of ['malloc=1', 'NO_VALUE', '1ABC=2', 'A B=1']) {
    assert.throws(() => parseEnvironment(line), new RegExp(`not a NAME=value line: ${line}`));
  }
});

test("the caller's own setting wins over the sink's default", () => {
  assert.equal(sinkEnvironment({ MALLOC_MMAP_THRESHOLD_: '65536' }).MALLOC_MMAP_THRESHOLD_, '65536');
  assert.equal(sinkEnvironment({ OTHER: '1' }).MALLOC_MMAP_THRESHOLD_, '131072');
  assert.equal(sinkEnvironment({ OTHER: '1' }).OTHER, '1');
});

test('a spawned sink gets the setting, with or without an environment from its caller', async () => {
  assert.equal(await printedBySink('process.env.MALLOC_MMAP_THRESHOLD_'), '131072');
  assert.equal(await printedBySink('process.env.MALLOC_MMAP_THRESHOLD_', { PATH: process.env.PATH }), '131072');
  assert.equal(
    await printedBySink('process.env.MALLOC_MMAP_THRESHOLD_', { ...process.env, MALLOC_MMAP_THRESHOLD_: '262144' }),
    '262144',
  );
});
