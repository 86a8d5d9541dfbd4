/**
 * How the benchmark's peer (Kafka Connect + Debezium's JDBC sink) is configured, and `--peer-set`
 * overrides of it. Pure, so the parsing and its bad input are unit-tested.
 */
import { SinkError } from '../../src/core/errors.ts';

export interface PeerSettings {
  /** tasks.max: 9 = one task per partition (3 topics × 3 partitions). */
  readonly tasks: number;
  /** Connector batch.size; undefined = the connector's default (500). */
  readonly batchSize: number | undefined;
  /** The connector consumer's max.poll.records; undefined = the consumer default (500). */
  readonly maxPollRecords: number | undefined;
  /** Worker -Xmx (`connect-distributed.sh` default 2G). */
  readonly heap: string;
  /** Decode the (unused) record key with the Avro converter instead of passing bytes. */
  readonly decodeKey: boolean;
  /**
   * TLS to MariaDB (`sslMode=trust`: encrypted, certificate unchecked); undefined = as the sink under test
   * (on unless its mysql.ssl.mode is disabled), so both sides pay for the same transport.
   */
  readonly tls: boolean | undefined;
  /** Further connector properties (`--peer-set connector.<key>=<value>`). */
  readonly connector: Readonly<Record<string, string>>;
  /** Further worker properties (`--peer-set worker.<key>=<value>`). */
  readonly worker: Readonly<Record<string, string>>;
}

/** The fastest fair configuration measured on this machine (docs/benchmarks.md, "Peer", says which were tried). */
export const PEER_DEFAULTS: PeerSettings = {
  tasks: 9,
  // Larger batches and polls (1,000 and 5,000 each) halved MariaDB's CPU per record but cost the worker
  // more than that: slower overall on 2 cores.
  batchSize: undefined,
  maxPollRecords: undefined,
  heap: '2G',
  decodeKey: false,
  tls: undefined,
  connector: {},
  worker: {},
};

export const PEER_SET_KEYS = ['tasks', 'batch.size', 'max.poll.records', 'heap', 'decode.key', 'tls'] as const;

const USAGE = `expected key=value with key one of ${PEER_SET_KEYS.join(', ')}, connector.<property> or worker.<property>`;

/** Applies `key=value` overrides in order; `default` as a value restores the connector's own default. */
export function parsePeerSets(sets: readonly string[], base: PeerSettings = PEER_DEFAULTS): PeerSettings {
  let settings: PeerSettings = { ...base, connector: { ...base.connector }, worker: { ...base.worker } };
  for (const set of sets) {
    const at = set.indexOf('=');
    if (at <= 0) throw usage(`--peer-set ${JSON.stringify(set)}: ${USAGE}`);
    const key = set.slice(0, at).trim();
    const value = set.slice(at + 1).trim();
    settings = apply(settings, key, value, set);
  }
  return settings;
}

function apply(settings: PeerSettings, key: string, value: string, set: string): PeerSettings {
  const fail = (why: string): SinkError => usage(`--peer-set ${JSON.stringify(set)}: ${why}`);
  if (key.startsWith('connector.') && key.length > 'connector.'.length)
    return { ...settings, connector: { ...settings.connector, [key.slice('connector.'.length)]: value } };
  if (key.startsWith('worker.') && key.length > 'worker.'.length)
    return { ...settings, worker: { ...settings.worker, [key.slice('worker.'.length)]: value } };
  switch (key) {
    case 'tasks': {
      const tasks = positiveInt(value);
      if (tasks === undefined || tasks > 64) throw fail('tasks must be a whole number from 1 to 64');
      return { ...settings, tasks };
    }
    case 'batch.size':
    case 'max.poll.records': {
      const parsed = value === 'default' ? undefined : positiveInt(value);
      if (value !== 'default' && (parsed === undefined || parsed > 1_000_000))
        throw fail(`${key} must be a whole number from 1 to 1000000, or "default"`);
      return key === 'batch.size' ? { ...settings, batchSize: parsed } : { ...settings, maxPollRecords: parsed };
    }
    case 'heap':
      if (!/^[1-9]\d*[kKmMgG]?$/.test(value)) throw fail('heap must be a JVM size such as 1G, 768m or 2048M');
      return { ...settings, heap: value };
    case 'decode.key':
      if (value !== 'true' && value !== 'false') throw fail('decode.key must be true or false');
      return { ...settings, decodeKey: value === 'true' };
    case 'tls':
      if (value !== 'true' && value !== 'false' && value !== 'default')
        throw fail('tls must be true, false or "default" (as the sink under test)');
      return { ...settings, tls: value === 'default' ? undefined : value === 'true' };
    default:
      throw fail(USAGE);
  }
}

function positiveInt(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

function usage(message: string): SinkError {
  return new SinkError('USAGE', message, { retriable: false });
}

/** Whether the peer talks TLS to MariaDB: its own setting, else as the sink does. */
export function peerUsesTls(settings: PeerSettings, sinkSslMode: string): boolean {
  return settings.tls ?? sinkSslMode !== 'disabled';
}

/** The settings as `key=value` lines for the report (connector defaults named as such). */
export function describePeerSettings(settings: PeerSettings, sinkSslMode: string): string[] {
  return [
    `tasks.max=${settings.tasks}`,
    `batch.size=${settings.batchSize ?? '500 (default)'}`,
    `consumer max.poll.records=${settings.maxPollRecords ?? '500 (default)'}`,
    `worker -Xmx${settings.heap}`,
    `key.converter=${settings.decodeKey ? 'Apicurio Avro' : 'ByteArrayConverter (key unused)'}`,
    `MariaDB transport=${peerUsesTls(settings, sinkSslMode) ? 'TLS (sslMode=trust)' : 'plain TCP'}${settings.tls === undefined ? ' (as the sink)' : ''}`,
    ...Object.entries(settings.connector).map(([k, v]) => `connector ${k}=${/password/i.test(k) ? '******' : v}`),
    ...Object.entries(settings.worker).map(([k, v]) => `worker ${k}=${v}`),
  ];
}
