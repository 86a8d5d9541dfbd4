/**
 * The record fetcher's settings, read from the same librdkafka settings the group member uses
 * (consumerConfig): one source for bootstrap servers, client id, TLS, SASL and the fetch bounds, so a
 * `kafka.consumer.*` or `kafka.security.*` key means the same for both halves of a topic's consumer.
 * Pure apart from reading the TLS files named by `ssl.*.location`.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { SinkError, describeError } from '../core/errors.ts';

export type LibrdkafkaSettings = Readonly<Record<string, string | number | boolean>>;

export interface FetchOptions {
  readonly bootstrapBrokers: string[];
  readonly clientId: string;
  /** Bytes per fetch response, all partitions together (fetch.max.bytes). */
  readonly maxBytes: number;
  /** Bytes per partition in one response (max.partition.fetch.bytes). */
  readonly maxBytesPerPartition: number;
  /** How long the broker may hold a fetch that has less than minBytes (fetch.wait.max.ms). */
  readonly maxWaitTime: number;
  readonly minBytes: number;
  /** 0 = read_uncommitted, 1 = read_committed (isolation.level, librdkafka's default). */
  readonly isolationLevel: 0 | 1;
  readonly connectTimeout: number;
  readonly tls?: ConnectionOptions;
  readonly sasl?: {
    readonly mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
    username: string;
    password: string;
  };
}

/** librdkafka's defaults for the keys the fetcher reads, where the sink sets none. */
const DEFAULTS = {
  'fetch.max.bytes': 52_428_800,
  'max.partition.fetch.bytes': 1_048_576,
  'fetch.wait.max.ms': 500,
  'fetch.min.bytes': 1,
  'socket.connection.setup.timeout.ms': 30_000,
} as const;

function whole(settings: LibrdkafkaSettings, key: keyof typeof DEFAULTS): number {
  const value = settings[key] ?? DEFAULTS[key];
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new SinkError('CONFIG_INVALID', `config key kafka.consumer.${key}: "${value}" is not a whole number`);
  }
  return n;
}

function text(settings: LibrdkafkaSettings, key: string): string | undefined {
  const value = settings[key];
  return value === undefined ? undefined : String(value);
}

function readTlsFile(settings: LibrdkafkaSettings, key: string): Buffer | undefined {
  const path = text(settings, key);
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    throw new SinkError('CONFIG_INVALID', `config key kafka.${key}: cannot read ${path} (${describeError(error)})`, {
      cause: error,
    });
  }
}

function tlsOf(settings: LibrdkafkaSettings): ConnectionOptions {
  const ca = readTlsFile(settings, 'ssl.ca.location');
  const cert = readTlsFile(settings, 'ssl.certificate.location');
  const key = readTlsFile(settings, 'ssl.key.location');
  const noHostCheck = text(settings, 'ssl.endpoint.identification.algorithm')?.toLowerCase() === 'none';
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(noHostCheck ? { checkServerIdentity: () => undefined } : {}),
  };
}

function saslOf(settings: LibrdkafkaSettings): FetchOptions['sasl'] {
  const mechanism = (text(settings, 'sasl.mechanisms') ?? 'PLAIN').toUpperCase();
  if (mechanism !== 'PLAIN' && mechanism !== 'SCRAM-SHA-256' && mechanism !== 'SCRAM-SHA-512') {
    throw new SinkError(
      'CONFIG_INVALID',
      `config key kafka.sasl.mechanism: ${mechanism} is not supported (plain, scram-sha-256, scram-sha-512)`,
    );
  }
  return {
    mechanism,
    username: text(settings, 'sasl.username') ?? '',
    password: text(settings, 'sasl.password') ?? '',
  };
}

export function fetchOptionsOf(settings: LibrdkafkaSettings): FetchOptions {
  const protocol = (text(settings, 'security.protocol') ?? 'plaintext').toLowerCase();
  const isolation = (text(settings, 'isolation.level') ?? 'read_committed').toLowerCase();
  if (isolation !== 'read_committed' && isolation !== 'read_uncommitted') {
    throw new SinkError(
      'CONFIG_INVALID',
      `config key kafka.consumer.isolation.level: "${isolation}" is not read_committed or read_uncommitted`,
    );
  }
  return {
    bootstrapBrokers: String(settings['bootstrap.servers'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
    clientId: text(settings, 'client.id') ?? 'kafka-mysql-sink',
    maxBytes: whole(settings, 'fetch.max.bytes'),
    maxBytesPerPartition: whole(settings, 'max.partition.fetch.bytes'),
    maxWaitTime: whole(settings, 'fetch.wait.max.ms'),
    minBytes: whole(settings, 'fetch.min.bytes'),
    isolationLevel: isolation === 'read_committed' ? 1 : 0,
    connectTimeout: whole(settings, 'socket.connection.setup.timeout.ms'),
    ...(protocol === 'ssl' || protocol === 'sasl_ssl' ? { tls: tlsOf(settings) } : {}),
    ...(protocol === 'sasl_plaintext' || protocol === 'sasl_ssl' ? { sasl: saslOf(settings) } : {}),
  };
}
