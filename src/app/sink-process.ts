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
 * to drain a 1M backlog. Bounded too tightly, V8 sizes the old generation's next collection from the
 * small live set and runs a full collection every ~120 ms while queued records keep being promoted. A
 * 96 MB floor for that limit (initial old space) with 4 MB semi-spaces takes about a fifth less CPU per
 * record at much the same peak RSS; larger floors save more CPU and cost more RSS (docs/benchmarks.md,
 * "Memory"). They live in a text file because the `kms` script reads the same file for `kms run`.
 */
export const SINK_NODE_FLAGS: readonly string[] = Object.freeze(
  readFileSync(new URL('./sink-node-flags.txt', import.meta.url), 'utf8')
    .trim()
    .split(/\s+/),
);

/**
 * Environment the sink process starts with unless its caller sets the same names. glibc's malloc lets
 * its mmap threshold grow to the largest buffer freed so far, after which the fetch answers and bulk
 * packets (128 KB to a few MB each) come from the heap it never gives back. A fixed 128 KB threshold
 * keeps every such buffer in its own mapping, returned to the kernel when freed: 9-30 MB less peak RSS
 * draining 1M records at the same rate (docs/benchmarks.md, "Memory"). glibc reads it at process start,
 * so it cannot be set from inside; the `kms` script reads the same file for `kms run`.
 */
export const SINK_ENVIRONMENT: Readonly<Record<string, string>> = Object.freeze(
  parseEnvironment(readFileSync(new URL('./sink-environment.txt', import.meta.url), 'utf8')),
);

/** `NAME=value` lines; blank lines and `#` comments are skipped. */
export function parseEnvironment(text: string): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(trimmed);
    if (match === null) throw new Error(`sink-environment.txt: not a NAME=value line: ${trimmed}`);
    environment[match[1]!] = match[2]!;
  }
  return environment;
}

/** The sink's environment: `base` (the caller's, or this process's), with SINK_ENVIRONMENT for names it lacks. */
export function sinkEnvironment(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...SINK_ENVIRONMENT, ...base };
}

/** The product's entry point (`node src/main.ts run`). */
export const SINK_ENTRY = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface SpawnSinkOptions extends SpawnOptions {
  /** Extra node / V8 flags after the sink's own (they win), e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
}

/** `node <V8 limits> src/main.ts run <args>` with the given spawn options and the sink's environment. */
export function spawnSink(args: readonly string[], options: SpawnSinkOptions = {}): ChildProcess {
  const { nodeFlags = [], env, ...spawnOptions } = options;
  return spawn(process.execPath, [...SINK_NODE_FLAGS, ...nodeFlags, SINK_ENTRY, 'run', ...args], {
    ...spawnOptions,
    env: sinkEnvironment(env),
  });
}
