import type { Command } from 'commander';
import { mkdirSync, openSync, closeSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { redactConfig } from '../config/index.ts';
import { SinkError, describeError } from '../core/errors.ts';
import { createLogger } from '../core/log.ts';
import { SinkRunner } from '../pipeline/sink-runner.ts';
import { closeStatusServer, startStatusServer } from '../status/status-server.ts';
import { takeEarlyStop } from './early-stop.ts';
import { isAlive, readPid, tailOf } from './pid-file.ts';
import { type ConfigFlags, configFrom, withConfigOptions } from './config-options.ts';
import { projectRoot } from './project-root.ts';
import { spawnSink } from './sink-process.ts';

export interface BackgroundFlags extends ConfigFlags {
  pidFile?: string;
  logFile?: string;
}

export function defaultPidFile(): string {
  return join(projectRoot(), '.run', 'sink.pid');
}
export function defaultLogFile(): string {
  return join(projectRoot(), '.run', 'sink.log');
}

export function registerRunCommands(program: Command): void {
  withConfigOptions(program.command('run'))
    .description(
      'run the sink in the foreground until SIGTERM / Ctrl-C (graceful drain; a second signal exits at once)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  kms run\n  kms run --config config/sink.properties --set sink.batch.max.records=5000',
    )
    .action(async (flags: ConfigFlags) => {
      await runForeground(flags);
    });

  withConfigOptions(program.command('start'))
    .description('start the sink in the background (pid file, log file)')
    .option('--pid-file <file>', 'pid file', defaultPidFile())
    .option('--log-file <file>', 'log file', defaultLogFile())
    .addHelpText(
      'after',
      '\nExamples:\n  kms start\n  kms start --set kafka.topics=dataset1 --pid-file /tmp/sink2.pid --set status.port=0',
    )
    .action(async (flags: BackgroundFlags) => {
      await startBackground(flags);
    });

  program
    .command('stop')
    .description('stop a background sink: SIGTERM, wait for its graceful drain, SIGKILL after --timeout')
    .option('--pid-file <file>', 'pid file', defaultPidFile())
    .option('--timeout <seconds>', 'seconds to wait before SIGKILL', '30')
    .action(async (flags: { pidFile: string; timeout: string }) => {
      const stopped = await stopBackground(flags.pidFile, Number(flags.timeout) * 1000);
      console.log(stopped ? 'sink stopped' : 'sink was not running');
    });
}

async function runForeground(flags: ConfigFlags): Promise<void> {
  const config = configFrom(flags);
  const log = createLogger(config.log.level);
  const early = takeEarlyStop();
  if (early) {
    // Nothing has started yet, so there is nothing to drain.
    log.info({ signal: early }, 'stop requested during start-up: nothing was started');
    log.flush(() => process.exit(0));
    return;
  }
  log.info({ config: redactConfig(config) }, 'kafka-mysql-sink starting');
  const runner = new SinkRunner(config, log);
  let signals = 0;
  const done = new Promise<void>((resolveDone) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (++signals > 1) {
        log.warn({ signal }, 'second signal: exiting now');
        log.flush();
        process.exit(130);
      }
      log.info({ signal }, 'stopping: finishing in-flight batches, leaving the consumer groups');
      runner.stop().then(resolveDone, (error: unknown) => {
        log.error({ err: describeError(error) }, 'stop failed');
        resolveDone();
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  const server =
    config.status.port > 0 ? await startStatusServer(runner, config.status.host, config.status.port, log) : undefined;
  if (server)
    log.info({ url: `http://${config.status.host}:${config.status.port}/` }, 'status page, /metrics, /healthz');
  try {
    await runner.start();
  } catch (error) {
    // SIGTERM while start-up still waits for a service ends that wait: a requested stop, not a failure.
    if (!runner.stopping) throw error;
  }
  await done;
  if (server) await closeStatusServer(server);
  log.info('kafka-mysql-sink stopped');
  // Idle keep-alive sockets (registry, pool) would hold the process a few seconds more: leave now.
  log.flush(() => process.exit(0));
}

export async function startBackground(flags: BackgroundFlags): Promise<number> {
  configFrom(flags); // fail here, in the foreground, on a bad configuration
  const pidFile = resolve(flags.pidFile ?? defaultPidFile());
  const logFile = resolve(flags.logFile ?? defaultLogFile());
  const running = readPid(pidFile);
  if (running !== undefined && isAlive(running)) {
    console.log(`sink already running, pid ${running} (${pidFile})`);
    return running;
  }
  mkdirSync(dirname(pidFile), { recursive: true });
  mkdirSync(dirname(logFile), { recursive: true });
  const args: string[] = [];
  if (flags.config) args.push('--config', flags.config);
  for (const set of flags.set ?? []) args.push('--set', set);
  const out = openSync(logFile, 'a');
  const child = spawnSink(args, { detached: true, stdio: ['ignore', out, out], env: process.env });
  closeSync(out);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  writeFileSync(pidFile, `${child.pid}\n`);
  // A sink that dies at once (bad password, ...) should be reported here, not discovered later.
  await sleep(1500);
  child.unref();
  if (exited) {
    rmSync(pidFile, { force: true });
    throw new SinkError('USAGE', `sink exited during start-up; log: ${logFile}\n${tailOf(logFile, 3)}`);
  }
  console.log(`sink started, pid ${child.pid}; log: ${logFile}`);
  return child.pid!;
}

export async function stopBackground(pidFile: string, timeoutMs: number): Promise<boolean> {
  const pid = readPid(pidFile);
  if (pid === undefined || !isAlive(pid)) {
    rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
  rmSync(pidFile, { force: true });
  return true;
}
