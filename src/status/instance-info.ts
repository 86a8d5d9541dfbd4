/** Who this instance is, for its status page and its heartbeat row: id, version, start time, config summary. */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { SinkConfig } from '../config/index.ts';

export interface InstanceInfo {
  /** `host:pid`: unique among running instances, readable in a table. */
  readonly id: string;
  readonly version: string;
  readonly startedAt: Date;
  readonly statusUrl: string;
  /** The settings an operator asks about first; no credentials, no URLs that could carry them. */
  readonly config: Readonly<Record<string, string>>;
}

function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    return String((JSON.parse(text) as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

export function instanceInfo(config: SinkConfig, statusPort: number, startedAt = new Date()): InstanceInfo {
  return {
    id: `${hostname()}:${process.pid}`,
    version: packageVersion(),
    startedAt,
    statusUrl: `http://${config.status.host}:${statusPort}/`,
    config: configSummary(config),
  };
}

export function configSummary(config: SinkConfig): Record<string, string> {
  return {
    'kafka.topics': config.kafka.topics.join(','),
    'kafka.bootstrap.servers': config.kafka.bootstrapServers.join(','),
    database: `${config.mysql.host}:${config.mysql.port}/${config.mysql.database}`,
    'mysql.username': config.mysql.user,
    'sink.batch.max.records': String(config.sink.batchMaxRecords),
    'sink.batch.linger.ms': String(config.sink.batchLingerMs),
    'sink.insert.mode': config.sink.insertMode,
    'errors.tolerance': config.errors.tolerance,
    'blocking.queue.size': String(config.backpressure.queueSize),
    'sink.offsets.table': config.sink.offsetsTable,
    'sink.deadletter.table': config.sink.deadLetterTable,
  };
}
