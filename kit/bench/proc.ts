/**
 * Linux /proc readings: a process's RSS and peak RSS, CPU time of processes and of the whole machine,
 * and which processes are the database and the broker (to say where CPU went during a run).
 */
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';

const CLOCK_TICKS = 100; // USER_HZ on every Linux this runs on

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** VmRSS / VmHWM of a process in bytes; undefined once it is gone. */
export function memoryOf(pid: number): { rss: number; hwm: number } | undefined {
  const status = readText(`/proc/${pid}/status`);
  if (status === undefined) return undefined;
  const kb = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** User + system CPU seconds a process used so far (all its threads). */
export function cpuSecondsOf(pid: number): number | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Busy and total CPU seconds of the whole machine (all cores) since boot. */
export function machineCpu(): { busy: number; total: number } {
  const line = (readText('/proc/stat') ?? '').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, v) => sum + v, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: (total - idle) / CLOCK_TICKS, total: total / CLOCK_TICKS };
}

function commandLine(pid: number): string[] {
  return (readText(`/proc/${pid}/cmdline`) ?? '').split('\0').filter((part) => part !== '');
}

function pids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

export interface ServiceProcesses {
  /** The server answering on the sink's MySQL port when that can be told, else every MariaDB server. */
  readonly mariadb: number[];
  /** The broker answering on the bootstrap port when that can be told, else every broker. */
  readonly kafka: number[];
  readonly kafkaVersion: string | undefined;
}

/** Finds mariadbd/mysqld and the Kafka broker(s) on this machine (none when they run elsewhere). */
export function findServices(bootstrapPort: number, mysqlPort: number): ServiceProcesses {
  const servers: { pid: number; port: number | undefined }[] = [];
  const brokers: { pid: number; listensHere: boolean; version: string | undefined }[] = [];
  for (const pid of pids()) {
    const args = commandLine(pid);
    if (args.length === 0) continue;
    const exe = args[0]!.split('/').pop() ?? '';
    if (exe === 'mariadbd' || exe === 'mysqld') servers.push({ pid, port: serverPort(args) });
    if (args.includes('kafka.Kafka')) {
      const text = args.join(' ');
      const version = /kafka[-_](?:\d+\.\d+-)?(\d+\.\d+\.\d+)/.exec(text)?.[1];
      const properties = readText(args[args.length - 1]!) ?? '';
      const listensHere = new RegExp(`^listeners=.*:${bootstrapPort}\\b`, 'm').test(properties);
      brokers.push({ pid, listensHere, version });
    }
  }
  const own = brokers.filter((b) => b.listensHere);
  const chosen = own.length > 0 ? own : brokers;
  // Several servers may run (the machine's, the stack's, other checkouts'): count the sink's one only.
  const database = servers.filter((server) => server.port === mysqlPort);
  return {
    mariadb: (database.length > 0 ? database : servers).map((server) => server.pid),
    kafka: chosen.map((b) => b.pid),
    kafkaVersion: chosen.find((b) => b.version)?.version,
  };
}

/** A server's port from its command line: `--port=N`, or `port=N` in its `--defaults-file`. */
function serverPort(args: readonly string[]): number | undefined {
  const option = (name: string): string | undefined =>
    args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const port = option('port') ?? /^port\s*=\s*(\d+)\s*$/m.exec(readText(option('defaults-file') ?? '') ?? '')?.[1];
  return port === undefined ? undefined : Number(port);
}

export function sumCpu(pidList: readonly number[]): number {
  return pidList.reduce((sum, pid) => sum + (cpuSecondsOf(pid) ?? 0), 0);
}

export interface MachineFacts {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly os: string;
  readonly loadAverage: readonly number[];
}

export function machineFacts(): MachineFacts {
  const cpus = os.cpus();
  return {
    cpus: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGb: os.totalmem() / 1024 ** 3,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100),
  };
}
