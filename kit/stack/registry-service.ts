import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCertificates } from './certificates.ts';
import { ensureRegistryApp } from './downloads.ts';
import { type ManagedProcess, runningPid, startDetached, stopProcess } from './process-control.ts';
import { refuseForeignPort, waitForService } from './service-process.ts';
import { type StackOptions, registryUrl } from './stack-options.ts';

/** The registry also serves HTTPS (the stack's server certificate) on its port + this. */
export const REGISTRY_TLS_PORT_OFFSET = 12_000;

export function secureRegistryUrl(options: StackOptions): string {
  return `https://127.0.0.1:${options.registryPort + REGISTRY_TLS_PORT_OFFSET}/apis/ccompat/v7`;
}

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
    await refuseForeignPort('registry: port', options.registryPort, 'KMS_REGISTRY_PORT', proc.logFile);
    const tlsPort = options.registryPort + REGISTRY_TLS_PORT_OFFSET;
    await refuseForeignPort('registry: HTTPS port', tlsPort, 'KMS_REGISTRY_PORT', proc.logFile);
    const jar = await ensureRegistryApp(options);
    const tls = await ensureCertificates(options);
    startDetached(
      proc,
      'java',
      [
        '-Xms128m',
        '-Xmx512m',
        '-XX:+UseSerialGC',
        `-Dquarkus.http.port=${options.registryPort}`,
        '-Dquarkus.http.host=127.0.0.1',
        // Quarkus serves TLS from PEM files; plain HTTP stays on for the tools and tests that use it.
        `-Dquarkus.http.ssl-port=${tlsPort}`,
        `-Dquarkus.http.ssl.certificate.files=${tls.serverCert}`,
        `-Dquarkus.http.ssl.certificate.key-files=${tls.serverKey}`,
        '-Dquarkus.http.insecure-requests=enabled',
        `-Dapicurio.datasource.url=jdbc:h2:file:${join(dir, 'data', 'registry')}`,
        '-Dquarkus.log.level=WARN',
        '-jar',
        jar,
      ],
      dir,
    );
  }
  await waitForService(proc, {
    probe: async () => (await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2_000) })).ok,
    timeoutMs: options.registryReadyTimeoutMs,
    pid: runningPid(proc),
    intervalMs: 300,
    exited: () => 'registry: exited during start-up',
    notReady: () => `registry: no answer from ${url} after ${options.registryReadyTimeoutMs} ms`,
  });
  return url;
}

export async function stopRegistry(options: StackOptions): Promise<string[]> {
  return (await stopProcess(registryProcess(options))) ? ['registry'] : [];
}
