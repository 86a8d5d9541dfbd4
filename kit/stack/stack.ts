import { mkdirSync } from 'node:fs';
import { runningPid } from './process-control.ts';
import { brokerProcesses, kafkaAddress, startKafka, stopKafka } from './kafka-service.ts';
import { registryProcess, startRegistry, stopRegistry } from './registry-service.ts';
import { ensureMariaDb } from './mariadb-service.ts';
import { cdcSourceOptions, configuredPort, mariadbProcess, stopMariaDbServer } from './mariadb-server.ts';
import { stopStackWorkers } from '../connect/connect-worker.ts';
import { type ServiceName, type StackOptions, registryUrl } from './stack-options.ts';

export interface ServiceStatus {
  readonly service: ServiceName;
  readonly state: 'running' | 'stopped' | 'external';
  readonly address: string;
  readonly pids: readonly number[];
}

/**
 * Brings up the requested services, each idempotently. If one fails, whatever this call started is
 * stopped again before the error propagates, so a failed `up` leaves no orphan processes.
 */
export async function stackUp(
  options: StackOptions,
  report: (line: string) => void = () => {},
): Promise<ServiceStatus[]> {
  mkdirSync(options.dir, { recursive: true });
  const before = new Set(await runningServices(options));
  try {
    if (options.services.includes('mariadb')) report(`mariadb   ready  ${await ensureMariaDb(options)}`);
    if (options.services.includes('kafka')) report(`kafka     ready  ${await startKafka(options)}`);
    if (options.services.includes('registry')) report(`registry  ready  ${await startRegistry(options)}`);
  } catch (error) {
    const startedNow = (await runningServices(options)).filter((service) => !before.has(service));
    if (startedNow.includes('registry')) await stopRegistry(options).catch(() => []);
    if (startedNow.includes('kafka')) await stopKafka(options).catch(() => []);
    if (startedNow.includes('mariadb')) await stopMariaDbServer(options).catch(() => []);
    throw error;
  }
  return stackStatus(options);
}

/**
 * Stops only processes this stack started (by pid file), the database last: nothing of the stack still
 * writes to it then. An external MariaDB is never stopped.
 */
export async function stackDown(options: StackOptions): Promise<string[]> {
  const stopped: string[] = [];
  // Kafka Connect workers first: they need the broker to leave their group cleanly.
  if (options.services.includes('kafka')) stopped.push(...(await stopStackWorkers(options)));
  if (options.services.includes('registry')) stopped.push(...(await stopRegistry(options)));
  if (options.services.includes('kafka')) stopped.push(...(await stopKafka(options)));
  if (options.services.includes('mariadb')) {
    stopped.push(...(await stopMariaDbServer(options)));
    // A change data capture test that died before its clean-up leaves its source server running.
    if ((await stopMariaDbServer(cdcSourceOptions(options))).length > 0) stopped.push('mariadb (cdc source)');
  }
  return stopped;
}

export async function stackStatus(options: StackOptions): Promise<ServiceStatus[]> {
  const kafkaPids = [1, 3]
    .flatMap((size) => brokerProcesses(options, size))
    .map((node) => runningPid(node))
    .filter((pid): pid is number => pid !== undefined);
  const registryPid = runningPid(registryProcess(options));
  return [
    {
      service: 'kafka',
      state: kafkaPids.length > 0 ? 'running' : 'stopped',
      address: kafkaAddress(options),
      pids: kafkaPids,
    },
    {
      service: 'registry',
      state: registryPid === undefined ? 'stopped' : 'running',
      address: registryUrl(options),
      pids: registryPid === undefined ? [] : [registryPid],
    },
    mariadbStatus(options),
  ];
}

function mariadbStatus(options: StackOptions): ServiceStatus {
  const pid = runningPid(mariadbProcess(options));
  if (options.mariadb === 'external' && pid === undefined) {
    return { service: 'mariadb', state: 'external', address: `${options.mysql.host}:${options.mysql.port}`, pids: [] };
  }
  const port = (pid === undefined ? undefined : configuredPort(options)) ?? options.mariadbPort;
  return {
    service: 'mariadb',
    state: pid === undefined ? 'stopped' : 'running',
    address: `127.0.0.1:${port}`,
    pids: pid === undefined ? [] : [pid],
  };
}

async function runningServices(options: StackOptions): Promise<ServiceName[]> {
  return (await stackStatus(options)).filter((s) => s.state === 'running').map((s) => s.service);
}

export function formatStatus(statuses: readonly ServiceStatus[]): string {
  return statuses
    .map(
      (s) =>
        `${s.service.padEnd(9)} ${s.state.padEnd(8)} ${s.address}${s.pids.length ? `  pid ${s.pids.join(',')}` : ''}`,
    )
    .join('\n');
}
