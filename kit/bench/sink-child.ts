/**
 * The sink under test: `node src/main.ts run …` as a child process, exactly as an operator starts it,
 * its output in a log file (no pipe back into the bench process, which would cost the bench CPU and
 * could slow the sink). Samples VmRSS every 200 ms and reads VmHWM on demand.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from '../../src/app/project-root.ts';
import { spawnSink } from '../../src/app/sink-process.ts';
import { memoryOf } from './proc.ts';

/**
 * Starts the sink once with `run --help`, which loads nearly all of the product, so Node's compile cache
 * holds it (src/main.ts) before a measured sink starts, as it does for an operator's sink that has
 * started before. Without this, the first drain after a code change also pays for stripping the
 * changed files' types: up to 20 MB more RSS.
 */
export async function warmCompileCache(nodeFlags: readonly string[]): Promise<void> {
  const child = spawnSink(['--help'], { nodeFlags, cwd: projectRoot(), stdio: 'ignore', env: process.env });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`warming the compile cache: \`kms run --help\` exited with ${code}`);
}

export interface SinkChildOptions {
  readonly name: string;
  readonly args: readonly string[];
  readonly logFile: string;
  /** Extra node flags, e.g. --cpu-prof. */
  readonly nodeFlags?: readonly string[];
  readonly rssIntervalMs?: number;
}

export class SinkChild {
  readonly name: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** performance.now() / Date.now() right before spawn. */
  readonly spawnedAt: number;
  readonly spawnedAtEpoch: number;
  readonly exited: Promise<number | null>;
  readonly rssSamples: { t: number; rss: number }[] = [];
  #exitCode: number | null | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastHwm = 0;

  constructor(options: SinkChildOptions) {
    this.name = options.name;
    this.logFile = options.logFile;
    const out = openSync(options.logFile, 'a');
    this.spawnedAtEpoch = Date.now();
    this.spawnedAt = performance.now();
    // The product's own V8 limits first (as `kms run` / `kms start` use them); extra flags override them.
    this.child = spawnSink(options.args, {
      nodeFlags: options.nodeFlags ?? [],
      cwd: projectRoot(),
      stdio: ['ignore', out, out],
      env: process.env,
    });
    closeSync(out);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.#exitCode = code ?? (signal ? -1 : null);
        this.#stopSampling();
        resolve(code);
      }),
    );
    const interval = options.rssIntervalMs ?? 200;
    this.#timer = setInterval(() => this.#sample(), interval);
    this.#timer.unref();
  }

  get pid(): number {
    return this.child.pid!;
  }
  get running(): boolean {
    return this.#exitCode === undefined;
  }

  /** Peak RSS of the process so far (kernel's high-water mark), or the last known one after exit. */
  peakRss(): number {
    const memory = memoryOf(this.pid);
    if (memory !== undefined && Number.isFinite(memory.hwm)) this.#lastHwm = memory.hwm;
    return this.#lastHwm;
  }

  maxSampledRss(): number {
    return this.rssSamples.reduce((max, s) => Math.max(max, s.rss), 0);
  }

  /** SIGTERM (graceful drain), SIGKILL after `timeoutMs`; resolves with the exit code. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (!this.running) return this.#exitCode ?? null;
    this.peakRss();
    this.child.kill('SIGTERM');
    const timer = new AbortController();
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      sleep(timeoutMs, true, { signal: timer.signal }).catch(() => false),
    ]);
    timer.abort();
    if (timedOut) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    return this.#exitCode ?? null;
  }

  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }

  /** Parsed JSON log lines. */
  logs(): Record<string, unknown>[] {
    let text = '';
    try {
      text = readFileSync(this.logFile, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          return {};
        }
      });
  }

  /** Seconds after spawn of the first log line matching `predicate` (from its ISO time), if any. */
  logTime(predicate: (line: Record<string, unknown>) => boolean, last = false): number | undefined {
    const lines = this.logs().filter(predicate);
    const line = last ? lines[lines.length - 1] : lines[0];
    if (line === undefined || typeof line.time !== 'string') return undefined;
    return (Date.parse(line.time) - this.spawnedAtEpoch) / 1000;
  }

  /** Last lines of the log, for error messages. */
  tail(lines = 15): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  #sample(): void {
    const memory = memoryOf(this.pid);
    if (memory === undefined) return;
    this.rssSamples.push({ t: (performance.now() - this.spawnedAt) / 1000, rss: memory.rss });
    if (Number.isFinite(memory.hwm)) this.#lastHwm = memory.hwm;
  }

  #stopSampling(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
