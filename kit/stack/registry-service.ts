import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SinkError } from '../../src/core/errors.ts';
import { ensureRegistryApp } from './downloads.ts';
import {
  type ManagedProcess,
  isPortOpen,
  runningPid,
  startDetached,
  stopProcess,
  waitUntil,
} from './process-control.ts';
import { type StackOptions, registryUrl } from './stack-options.ts';

export function registryProcess(options: StackOptions): ManagedProcess {
  const dir = join(options.dir, 'registry');
  return { name: 'registry', pidFile: join(dir, 'registry.pid'), logFile: join(dir, 'registry.log') };
}

/**
 * Apicurio Registry with its H2 store in a file under the stack folder: schema ids then survive a
 * restart exactly as the Kafka data beside them does (with the default in-memory store, records kept in
 * Kafka would point at ids the registry no longer knows, or worse, at new schemas reusing them).
 */
export async function startRegistry(options: StackOptions): Promise<string> {
  const proc = registryProcess(options);
  const url = registryUrl(options);
  if (runningPid(proc) === undefined) {
    const dir = join(options.dir, 'registry');
    mkdirSync(join(dir, 'data'), { recursive: true });
    if (await isPortOpen(options.registryPort)) {
      throw new SinkError(
        'STACK_FAILED',
        `registry: port ${options.registryPort} is already in use by a process this stack did not start; ` +
          `free it or set KMS_REGISTRY_PORT; log: ${proc.logFile}`,
      );
    }
    const jar = await ensureRegistryApp(options);
    startDetached(
      proc,
      'java',
      [
        '-Xms128m',
        '-Xmx512m',
        '-XX:+UseSerialGC',
        `-Dquarkus.http.port=${options.registryPort}`,
        '-Dquarkus.http.host=127.0.0.1',
        `-Dapicurio.datasource.url=jdbc:h2:file:${join(dir, 'data', 'registry')}`,
        '-Dquarkus.log.level=WARN',
        '-jar',
        jar,
      ],
      dir,
    );
  }
  const pid = runningPid(proc);
  const result = await waitUntil(
    async () => (await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2_000) })).ok,
    { timeoutMs: options.registryReadyTimeoutMs, ...(pid === undefined ? {} : { pid }), intervalMs: 300 },
  );
  if (result === 'died') throw new SinkError('STACK_FAILED', `registry: exited during start-up; log: ${proc.logFile}`);
  if (result === 'timeout')
    throw new SinkError(
      'STACK_FAILED',
      `registry: no answer from ${url} after ${options.registryReadyTimeoutMs} ms; log: ${proc.logFile}`,
    );
  return url;
}

export async function stopRegistry(options: StackOptions): Promise<string[]> {
  return (await stopProcess(registryProcess(options))) ? ['registry'] : [];
}
