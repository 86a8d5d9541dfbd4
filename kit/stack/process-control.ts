import { spawn } from 'node:child_process';
import { openSync, closeSync, writeFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, readPid } from '../../src/app/pid-file.ts';

/** A background process the stack owns: known only by the pid file it wrote. */
export interface ManagedProcess {
  readonly name: string;
  readonly pidFile: string;
  readonly logFile: string;
}

/** The pid of a process we started earlier and that still runs, or undefined (stale pid files are removed). */
export function runningPid(proc: ManagedProcess): number | undefined {
  const pid = readPid(proc.pidFile);
  if (pid === undefined) return undefined;
  if (isAlive(pid)) return pid;
  rmSync(proc.pidFile, { force: true });
  return undefined;
}

/** Starts `command` detached from this process (it outlives the CLI), output appended to the log file. */
export function startDetached(
  proc: ManagedProcess,
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const out = openSync(proc.logFile, 'a');
  try {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', out, out] });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.unref();
    writeFileSync(proc.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(out);
  }
}

/** SIGTERM, then SIGKILL after the grace period. Only ever signals the pid from our own pid file. */
export async function stopProcess(proc: ManagedProcess, graceMs = 15_000): Promise<boolean> {
  const pid = runningPid(proc);
  if (pid === undefined) return false;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    signalGroup(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(50);
  }
  rmSync(proc.pidFile, { force: true });
  return true;
}

/** Our services are started as group leaders (detached), so their helper children go with them. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Polls `probe` until it returns true, the process dies, or the timeout passes. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; pid?: number; intervalMs?: number },
): Promise<'ready' | 'died' | 'timeout'> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.pid !== undefined && !isAlive(options.pid)) return 'died';
    // A probe may block (a server that accepts connections before it answers): the deadline still holds.
    const late = sleep(Math.max(0, deadline - Date.now()), false, { ref: false });
    if (await Promise.race([probe().catch(() => false), late])) return 'ready';
    if (Date.now() >= deadline) return 'timeout';
    await sleep(options.intervalMs ?? 250);
  }
}
