import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { SinkError } from '../../src/core/errors.ts';
import { withMetadataClient } from '../../src/kafka/metadata-client.ts';
import { ensureCertificates } from './certificates.ts';
import { ensureKafkaLibs } from './downloads.ts';
import { MTLS_PORT_OFFSET, SASL_SSL_PORT_OFFSET, ensureScramUser, secureListeners } from './kafka-listeners.ts';
import { type ManagedProcess, runningPid, startDetached, stopProcess } from './process-control.ts';
import { refuseForeignPort, waitForService } from './service-process.ts';
import { type StackOptions, brokerPorts, bootstrapServers } from './stack-options.ts';
import { log4j2Properties } from './log4j2.ts';

const run = promisify(execFile);
const CONTROLLER_PORT_OFFSET = 10_000;

/** Clusters of different sizes keep separate data folders: their metadata logs are not interchangeable. */
function nodeDir(options: StackOptions, nodeId: number, brokers: number = options.brokers): string {
  return join(options.dir, brokers === 1 ? 'kafka' : `kafka-${brokers}x-node${nodeId}`);
}

export function brokerProcess(
  options: StackOptions,
  nodeId: number,
  brokers: number = options.brokers,
): ManagedProcess {
  const dir = nodeDir(options, nodeId, brokers);
  return {
    name: brokers === 1 ? 'kafka' : `kafka-node${nodeId}`,
    pidFile: join(dir, 'kafka.pid'),
    logFile: join(dir, 'kafka.log'),
  };
}

export function brokerProcesses(options: StackOptions, brokers: number = options.brokers): ManagedProcess[] {
  return Array.from({ length: brokers }, (_, i) => brokerProcess(options, i + 1, brokers));
}

/** Starts the KRaft cluster (combined broker+controller per node) unless already running; waits for metadata. */
export async function startKafka(options: StackOptions): Promise<string> {
  const other = options.brokers === 1 ? 3 : 1;
  if (brokerProcesses(options, other).some((node) => runningPid(node) !== undefined)) {
    throw new SinkError(
      'STACK_FAILED',
      `kafka: a ${other}-broker cluster of this stack is running; run \`kms stack down\` first`,
    );
  }
  const nodes = brokerProcesses(options);
  const running = nodes.filter((node) => runningPid(node) !== undefined);
  if (running.length === nodes.length) {
    await waitForBrokers(options, nodes);
    return bootstrapServers(options);
  }
  await checkPortsFree(options, nodes);
  const libs = await ensureKafkaLibs(options);
  await ensureCertificates(options);
  const clusterId = clusterIdFor(options);
  for (const [index, node] of nodes.entries()) {
    if (runningPid(node) !== undefined) continue;
    const dir = nodeDir(options, index + 1);
    const config = writeNodeConfig(options, index + 1, dir);
    if (!existsSync(join(dir, 'data', 'meta.properties'))) await formatStorage(libs, config, clusterId, node);
    startDetached(node, 'java', [...jvmArgs(dir), '-cp', `${libs}/*`, 'kafka.Kafka', config], dir);
  }
  await waitForBrokers(options, nodes);
  await ensureScramUser(options, libs, clusterId, bootstrapServers(options));
  return bootstrapServers(options);
}

export async function stopKafka(options: StackOptions): Promise<string[]> {
  const stopped: string[] = [];
  for (const size of [1, 3]) {
    // All nodes at once: stopped one by one, the last node has lost its controller quorum, waits for a
    // controlled shutdown that can never complete, and is SIGKILLed when the grace period ends.
    const nodes = brokerProcesses(options, size).reverse();
    const results = await Promise.all(nodes.map((node) => stopProcess(node, 30_000)));
    stopped.push(...nodes.filter((_, i) => results[i]).map((node) => node.name));
  }
  return stopped;
}

/** Where the running cluster listens, read back from its nodes' configs: `options` may describe the other size. */
export function kafkaAddress(options: StackOptions): string {
  for (const size of [options.brokers, options.brokers === 1 ? 3 : 1]) {
    if (!brokerProcesses(options, size).some((node) => runningPid(node) !== undefined)) continue;
    const listeners = Array.from({ length: size }, (_, i) =>
      join(nodeDir(options, i + 1, size), 'server.properties'),
    ).map((file) =>
      existsSync(file)
        ? /^advertised\.listeners=(?:.*,)?PLAINTEXT:\/\/([^,\s]+)/m.exec(readFileSync(file, 'utf8'))?.[1]
        : undefined,
    );
    if (listeners.every((listener) => listener !== undefined)) return listeners.join(',');
  }
  return bootstrapServers(options);
}

async function waitForBrokers(options: StackOptions, nodes: ManagedProcess[]): Promise<void> {
  const bootstrap = bootstrapServers(options);
  for (const node of nodes) {
    await waitForService(node, {
      probe: async () => {
        const cluster = await withMetadataClient({ bootstrapServers: bootstrap }, (kafka) => kafka.cluster(), {
          timeoutMs: 3_000,
        });
        return cluster.brokers >= nodes.length;
      },
      timeoutMs: options.readyTimeoutMs,
      pid: runningPid(node),
      intervalMs: 500,
      exited: () => `kafka: ${node.name} exited during start-up`,
      notReady: () => `kafka: not ready after ${options.readyTimeoutMs} ms (metadata from ${bootstrap})`,
    });
  }
}

async function checkPortsFree(options: StackOptions, nodes: ManagedProcess[]): Promise<void> {
  for (const [index, port] of brokerPorts(options).entries()) {
    const node = nodes[index]!;
    if (runningPid(node) !== undefined) continue;
    for (const taken of [port, port + CONTROLLER_PORT_OFFSET, port + SASL_SSL_PORT_OFFSET, port + MTLS_PORT_OFFSET])
      await refuseForeignPort('kafka: port', taken, 'KMS_KAFKA_FIRST_PORT', node.logFile);
  }
}

/** One cluster id per stack folder and size, kept so restarts reuse the formatted data. */
function clusterIdFor(options: StackOptions): string {
  const file = join(options.dir, `kafka-cluster-${options.brokers}.id`);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const id = newClusterId();
  mkdirSync(options.dir, { recursive: true });
  writeFileSync(file, id);
  return id;
}

/**
 * A Kafka cluster id is 16 random bytes in URL-safe base64 without padding. Like Kafka's own
 * Uuid.randomUuid, refuse ids starting with '-': one in 64 would otherwise read as an option.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function writeNodeConfig(options: StackOptions, nodeId: number, dir: string): string {
  mkdirSync(join(dir, 'data'), { recursive: true });
  const ports = brokerPorts(options);
  const port = ports[nodeId - 1]!;
  const voters = ports.map((p, i) => `${i + 1}@127.0.0.1:${p + CONTROLLER_PORT_OFFSET}`).join(',');
  const replication = options.brokers;
  const secure = secureListeners(options, port);
  const lines = [
    'process.roles=broker,controller',
    `node.id=${nodeId}`,
    `controller.quorum.voters=${voters}`,
    `listeners=${[`PLAINTEXT://127.0.0.1:${port}`, `CONTROLLER://127.0.0.1:${port + CONTROLLER_PORT_OFFSET}`, ...secure.listeners].join(',')}`,
    `advertised.listeners=${[`PLAINTEXT://127.0.0.1:${port}`, ...secure.advertised].join(',')}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL',
    ...secure.settings,
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${join(dir, 'data')}`,
    'num.partitions=3',
    `default.replication.factor=${replication}`,
    `min.insync.replicas=${replication === 3 ? 2 : 1}`,
    `offsets.topic.replication.factor=${replication}`,
    `transaction.state.log.replication.factor=${replication}`,
    `transaction.state.log.min.isr=${replication === 3 ? 2 : 1}`,
    'offsets.topic.num.partitions=10',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'log.retention.hours=168',
  ];
  const config = join(dir, 'server.properties');
  writeFileSync(config, `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'log4j2.properties'), LOG4J2);
  return config;
}

async function formatStorage(libs: string, config: string, clusterId: string, node: ManagedProcess): Promise<void> {
  const args = [
    '-cp',
    `${libs}/*`,
    'kafka.tools.StorageTool',
    'format',
    `--cluster-id=${clusterId}`,
    '-c',
    config,
    '--ignore-formatted',
  ];
  for (let attempt = 1; ; attempt++) {
    try {
      await run('java', args);
      return;
    } catch (error) {
      const failure = error as { stderr?: string; stdout?: string; code?: string };
      const output = `${failure.stdout ?? ''}${failure.stderr ?? String(error)}`;
      writeFileSync(node.logFile, `storage format attempt ${attempt} failed:\n${output}\n`, { flag: 'a' });
      if (failure.code === 'ENOENT')
        throw new SinkError('STACK_FAILED', `kafka: java is not installed; log: ${node.logFile}`);
      // One more try: a JVM that could not start (a passing resource shortage) fails the same way.
      if (attempt >= 2) {
        const reason = output.trim().split('\n').filter(Boolean).pop()?.slice(0, 200) ?? 'no output';
        throw new SinkError('STACK_FAILED', `kafka: storage format failed (${reason}); log: ${node.logFile}`);
      }
    }
  }
}

function jvmArgs(dir: string): string[] {
  return [
    '-Xms256m',
    '-Xmx768m',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`,
  ];
}

// The broker logs through SLF4J; without a binding and a config it prints nothing at all.
const LOG4J2 = log4j2Properties('warn', { server: ['kafka.server.KafkaRaftServer', 'info'] });
