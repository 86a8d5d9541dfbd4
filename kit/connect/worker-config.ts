/**
 * The files a Kafka Connect worker starts from: its properties and its log configuration. Pure.
 *
 * A DISTRIBUTED worker (not standalone), even alone: it is how Connect runs in production (so the peer in
 * the benchmark is the thing people deploy), connectors are created, changed and deleted at run time
 * through REST with their configs and status kept in Kafka, and a source connector's offsets live in a
 * Kafka topic instead of a local file, so a CDC test can restart the worker and resume. The price is three
 * internal topics and one group join at start-up (about a second on the local stack).
 */
import { type ConnectOptions, workerGroup } from './connect-options.ts';
import { log4j2Properties } from '../stack/log4j2.ts';

/** JVM options of Kafka's own `kafka-run-class.sh` (KAFKA_JVM_PERFORMANCE_OPTS) and the heap. */
export function workerJvmArgs(options: ConnectOptions, log4jFile: string): string[] {
  return [
    `-Xms${options.heap.initial}`,
    `-Xmx${options.heap.max}`,
    '-server',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-XX:MaxInlineLevel=15',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jFile}`,
    ...options.jvmFlags,
  ];
}

export const WORKER_MAIN_CLASS = 'org.apache.kafka.connect.cli.ConnectDistributed';

export function workerProperties(options: ConnectOptions, pluginPath: readonly string[]): Record<string, string> {
  const group = workerGroup(options);
  const replication = String(options.stack.brokers);
  return {
    'bootstrap.servers': options.bootstrapServers,
    'group.id': group.groupId,
    'config.storage.topic': group.configTopic,
    'offset.storage.topic': group.offsetTopic,
    'status.storage.topic': group.statusTopic,
    'config.storage.replication.factor': replication,
    'offset.storage.replication.factor': replication,
    'status.storage.replication.factor': replication,
    // A local stack: one partition each is plenty and quick to create (defaults 25 and 5).
    'offset.storage.partitions': '1',
    'status.storage.partitions': '1',
    // Connectors choose their own converters; the worker's are only the fallback.
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    listeners: `http://127.0.0.1:${options.restPort}`,
    'rest.advertised.host.name': '127.0.0.1',
    'rest.advertised.port': String(options.restPort),
    'plugin.path': pluginPath.join(','),
    // Plugins found through their ServiceLoader manifests (plugins.ts adds the missing ones): about 1 s,
    // against 25 s for the default's reflection scan of every class on 2 busy cores.
    'plugin.discovery': 'service_load',
    // Lets a connector tune its own consumer / producer (consumer.override.max.poll.records, ...).
    'connector.client.config.override.policy': 'All',
    ...options.workerProperties,
  };
}

/** `key=value` lines; backslashes, line breaks and leading blanks escaped as java.util.Properties reads them. */
export function propertiesText(properties: Readonly<Record<string, string>>): string {
  const escaped = (text: string, isKey: boolean): string => {
    let out = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
    if (isKey) out = out.replace(/([=: ])/g, '\\$1');
    return out.replace(/^ /, '\\ ');
  };
  return `${Object.entries(properties)
    .map(([key, value]) => `${escaped(key, true)}=${escaped(value, false)}`)
    .join('\n')}\n`;
}

/** INFO for Connect itself (start-up, task state), WARN for the chatty client and plugin libraries. */
export const WORKER_LOG4J2 = log4j2Properties('info', {
  clients: ['org.apache.kafka.clients', 'warn'],
  common: ['org.apache.kafka.common', 'warn'],
  reflections: ['org.reflections', 'error'],
  hibernate: ['org.hibernate', 'warn'],
});
