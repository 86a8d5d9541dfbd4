import { join } from 'node:path';
import { bootstrapServers, type StackOptions } from '../stack/stack-options.ts';
import { PLUGINS, type PluginName } from './plugins.ts';

export const CONNECT_VERSION = '4.1.1';
export const DEFAULT_REST_PORT = 8083;

/**
 * One Kafka Connect worker of the local stack: which plugins it loads, where it listens, its JVM. Several
 * workers may run side by side under different names (each has its folder, group and internal topics).
 */
export interface ConnectOptions {
  readonly stack: StackOptions;
  /** Folder `<stack>/connect/<name>/`, Connect group id and internal topic prefix `kms-connect-<name>`. */
  readonly name: string;
  /** State folder (config, pid file, log); default `<stack>/connect/<name>/`. */
  readonly dir?: string;
  readonly version: string;
  readonly restPort: number;
  readonly bootstrapServers: string;
  readonly plugins: readonly PluginName[];
  /** -Xmx and -Xms (as `connect-distributed.sh` defaults: 2G / 256M). */
  readonly heap: { readonly max: string; readonly initial: string };
  readonly jvmFlags: readonly string[];
  /** Worker properties on top of (and overriding) the rendered ones. */
  readonly workerProperties: Readonly<Record<string, string>>;
  readonly readyTimeoutMs: number;
}

export function connectOptions(
  stack: StackOptions,
  overrides: Partial<Omit<ConnectOptions, 'stack'>> = {},
  env = process.env,
): ConnectOptions {
  return {
    stack,
    name: overrides.name ?? 'worker',
    ...(overrides.dir === undefined ? {} : { dir: overrides.dir }),
    version: overrides.version ?? env.KMS_CONNECT_VERSION ?? CONNECT_VERSION,
    restPort: overrides.restPort ?? intFrom(env.KMS_CONNECT_PORT) ?? DEFAULT_REST_PORT,
    bootstrapServers: overrides.bootstrapServers ?? bootstrapServers(stack),
    plugins: overrides.plugins ?? (Object.keys(PLUGINS) as PluginName[]),
    heap: overrides.heap ?? { max: '2G', initial: '256M' },
    jvmFlags: overrides.jvmFlags ?? [],
    workerProperties: overrides.workerProperties ?? {},
    readyTimeoutMs: overrides.readyTimeoutMs ?? intFrom(env.KMS_CONNECT_READY_TIMEOUT_MS) ?? 120_000,
  };
}

/** Cached downloads, shared by every worker of the stack. */
export function connectCacheDir(stack: StackOptions): string {
  return join(stack.dir, 'connect');
}

export function workerDir(options: ConnectOptions): string {
  return options.dir ?? join(connectCacheDir(options.stack), options.name);
}

export function restUrl(options: ConnectOptions): string {
  return `http://127.0.0.1:${options.restPort}`;
}

/** Group id and internal topics of a worker: unique per name, so workers never share connector configs. */
export function workerGroup(options: ConnectOptions): {
  groupId: string;
  configTopic: string;
  offsetTopic: string;
  statusTopic: string;
} {
  const groupId = `kms-connect-${options.name}`;
  return {
    groupId,
    configTopic: `${groupId}-configs`,
    offsetTopic: `${groupId}-offsets`,
    statusTopic: `${groupId}-status`,
  };
}

function intFrom(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number.parseInt(text, 10);
  return Number.isInteger(value) ? value : undefined;
}
