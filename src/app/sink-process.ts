/**
 * Starting the sink as a child process: `kms start`, the bench and the tests all go through here, so
 * each runs the sink exactly as an operator does, with the same V8 limits.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * V8 limits for the sink process. Left alone, V8 on a large machine lets the young generation grow to
 * 64 MB semi-spaces and the old generation fill with dead queue records before a full GC: 700 MB RSS
 * to drain a 1M backlog. These bound it near 250 MB for a ~15 % lower drain rate (docs/benchmarks.md).
 * They live in a text file because the `kms` script reads the same file for `kms run`.
 */
export const SINK_NODE_FLAGS: readonly string[] = Object.freeze(
  readFileSync(new URL('./sink-node-flags.txt', import.meta.url), 'utf8')
    .trim()
    .split(/\s+/),
);

/** The product's entry point (`node src/main.ts run`). */
export const SINK_ENTRY = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface SpawnSinkOptions extends SpawnOptions {
  /** Extra node / V8 flags after the sink's own (they win), e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
}

/** `node <V8 limits> src/main.ts run <args>` with the given spawn options. */
export function spawnSink(args: readonly string[], options: SpawnSinkOptions = {}): ChildProcess {
  const { nodeFlags = [], ...spawnOptions } = options;
  return spawn(process.execPath, [...SINK_NODE_FLAGS, ...nodeFlags, SINK_ENTRY, 'run', ...args], spawnOptions);
}
