/**
 * A Kafka Connect worker as a background process of the local stack, known only by its pid file
 * (`<stack>/connect/<name>/connect.pid`, log `connect.log` beside it), like the broker and the registry.
 * Start: gather the jars and plugins (cached), write the config, spawn `java`, wait for REST readiness.
 * Stop: SIGTERM, then SIGKILL after a grace period, by pid only.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ManagedProcess, runningPid, startDetached, stopProcess } from '../stack/process-control.ts';
import { refuseForeignPort, stopUnlessReady, waitForService } from '../stack/service-process.ts';
import { ensurePlugin, ensureWorkerLibs } from './connect-downloads.ts';
import type { StackOptions } from '../stack/stack-options.ts';
import { type ConnectOptions, connectCacheDir, restUrl, workerDir } from './connect-options.ts';
import { ConnectRest } from './connect-rest.ts';
import { PLUGINS } from './plugins.ts';
import { WORKER_LOG4J2, WORKER_MAIN_CLASS, propertiesText, workerJvmArgs, workerProperties } from './worker-config.ts';

export interface RunningWorker {
  readonly pid: number;
  readonly rest: ConnectRest;
  readonly process: ManagedProcess;
  /** performance.now() right before the spawn; undefined when the worker was already running. */
  readonly spawnedAt: number | undefined;
  /** performance.now() when REST answered ready. */
  readonly readyAt: number;
}

export function workerProcess(options: ConnectOptions): ManagedProcess {
  const dir = workerDir(options);
  return { name: `connect-${options.name}`, pidFile: join(dir, 'connect.pid'), logFile: join(dir, 'connect.log') };
}

/** Downloads what is missing (cached afterwards); returns the worker's classpath folder and plugin.path. */
export async function prepareWorker(options: ConnectOptions): Promise<{ libs: string; pluginPath: string[] }> {
  const libs = await ensureWorkerLibs(options.stack, options.version);
  const pluginPath: string[] = [];
  for (const name of options.plugins) pluginPath.push(await ensurePlugin(options.stack, PLUGINS[name]));
  return { libs, pluginPath };
}

/** Starts the worker unless it runs already; resolves once its REST API says it is ready. */
export async function startWorker(options: ConnectOptions): Promise<RunningWorker> {
  const proc = workerProcess(options);
  const rest = new ConnectRest(restUrl(options), proc.logFile);
  const running = runningPid(proc);
  if (running !== undefined) {
    await waitReady(options, proc, rest, running);
    return { pid: running, rest, process: proc, spawnedAt: undefined, readyAt: performance.now() };
  }
  const dir = workerDir(options);
  mkdirSync(dir, { recursive: true });
  await refuseForeignPort('connect: REST port', options.restPort, 'KMS_CONNECT_PORT', proc.logFile);
  const { libs, pluginPath } = await prepareWorker(options);
  const propertiesFile = join(dir, 'worker.properties');
  const log4jFile = join(dir, 'log4j2.properties');
  writeFileSync(propertiesFile, propertiesText(workerProperties(options, pluginPath)));
  writeFileSync(log4jFile, WORKER_LOG4J2);
  writeFileSync(proc.logFile, '');
  const spawnedAt = performance.now();
  const pid = startDetached(
    proc,
    'java',
    [...workerJvmArgs(options, log4jFile), '-cp', `${libs}/*`, WORKER_MAIN_CLASS, propertiesFile],
    dir,
  );
  await stopUnlessReady(proc, 5_000, () => waitReady(options, proc, rest, pid));
  return { pid, rest, process: proc, spawnedAt, readyAt: performance.now() };
}

/**
 * Stops every worker of the stack that is still running (by the pid files under `<stack>/connect/*`), for
 * `kms stack down`: a worker left behind would only log connection errors once Kafka is gone.
 */
export async function stopStackWorkers(stack: StackOptions): Promise<string[]> {
  const root = connectCacheDir(stack);
  if (!existsSync(root)) return [];
  const stopped: string[] = [];
  for (const name of readdirSync(root)) {
    const pidFile = join(root, name, 'connect.pid');
    if (!existsSync(pidFile)) continue;
    const proc = { name: `connect-${name}`, pidFile, logFile: join(root, name, 'connect.log') };
    if (await stopProcess(proc, 20_000)) stopped.push(proc.name);
  }
  return stopped;
}

/** Stops the worker by its pid file; true when one was running. */
export async function stopWorker(options: ConnectOptions, graceMs = 20_000): Promise<boolean> {
  return stopProcess(workerProcess(options), graceMs);
}

function waitReady(options: ConnectOptions, proc: ManagedProcess, rest: ConnectRest, pid: number): Promise<void> {
  return waitForService(proc, {
    probe: () => rest.ready(),
    timeoutMs: options.readyTimeoutMs,
    pid,
    intervalMs: 250,
    exited: () => `connect: worker ${options.name} exited during start-up (${lastProblem(proc.logFile)})`,
    notReady: () =>
      `connect: worker ${options.name} not ready at ${rest.url}/health after ${options.readyTimeoutMs} ms`,
  });
}

/** The last ERROR / exception line of a worker log (else its last line), trimmed to one short line. */
export function lastProblem(logFile: string): string {
  if (!existsSync(logFile)) return 'no log';
  return problemIn(readFileSync(logFile, 'utf8'));
}

export function problemIn(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const problem = [...lines].reverse().find((line) => /\berror\b|exception/i.test(line));
  const chosen = (problem ?? lines[lines.length - 1] ?? 'no output').replace(/\s+/g, ' ');
  return chosen.length > 240 ? `${chosen.slice(0, 239)}…` : chosen;
}
