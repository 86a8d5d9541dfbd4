/**
 * What every service of the stack (broker, registry, MariaDB, Kafka Connect workers) does around its own
 * start: refuse a port held by a process this stack did not start, and wait for readiness, each failure
 * one STACK_FAILED line that ends with the service's log.
 */
import { SinkError } from '../../src/core/errors.ts';
import { type ManagedProcess, isPortOpen, stopProcess, waitUntil } from './process-control.ts';

/**
 * A port someone else holds would have us talk to their process as if it were ours.
 * `what` names the port in the message ("mariadb: port", "connect: REST port").
 */
export async function refuseForeignPort(what: string, port: number, envVar: string, logFile: string): Promise<void> {
  if (await isPortOpen(port)) {
    throw new SinkError(
      'STACK_FAILED',
      `${what} ${port} is already in use by a process this stack did not start; free it or set ${envVar}; log: ${logFile}`,
    );
  }
}

export interface ReadyWait {
  /** True once the service answers (a throw counts as not yet). */
  readonly probe: () => Promise<boolean>;
  readonly timeoutMs: number;
  /** The service's pid: its death ends the wait early. */
  readonly pid?: number | undefined;
  readonly intervalMs: number;
  /** The message when the process died, without the log (read only then: it may look into the log). */
  readonly exited: () => string;
  /** The message when the timeout passed, without the log. */
  readonly notReady: () => string;
}

/** Waits until the service is ready; throws STACK_FAILED naming its log when it died or took too long. */
export async function waitForService(proc: ManagedProcess, wait: ReadyWait): Promise<void> {
  const result = await waitUntil(wait.probe, {
    timeoutMs: wait.timeoutMs,
    ...(wait.pid === undefined ? {} : { pid: wait.pid }),
    intervalMs: wait.intervalMs,
  });
  if (result === 'died') throw new SinkError('STACK_FAILED', `${wait.exited()}; log: ${proc.logFile}`);
  if (result === 'timeout') throw new SinkError('STACK_FAILED', `${wait.notReady()}; log: ${proc.logFile}`);
}

/** Runs `ready` for a process this call just spawned; if it fails, that process is stopped again. */
export async function stopUnlessReady(
  proc: ManagedProcess,
  graceMs: number,
  ready: () => Promise<void>,
): Promise<void> {
  try {
    await ready();
  } catch (error) {
    await stopProcess(proc, graceMs);
    throw error;
  }
}
