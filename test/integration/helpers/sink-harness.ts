import Kafka from '@confluentinc/kafka-javascript';
import type { ChildProcess } from 'node:child_process';
import { after, before } from 'node:test';
import { readFileSync } from 'node:fs';
import { parseAvroSchema } from '../../../src/avro/avro-schema.ts';
import { RegistryClient } from '../../../src/avro/registry-client.ts';
import { spawnSink } from '../../../src/app/sink-process.ts';
import type { Pool, ResultRow } from '../../../src/mysql/pool.ts';
import { encodeWire } from '../../fixtures/wire-format.ts';
import { createTopic } from './kafka-client.ts';
import { PROJECT_ROOT } from './kms-cli.ts';
import { BOOTSTRAP, REGISTRY } from './services.ts';
import { type Settings, TestWorld } from './test-world.ts';
import { uniqueName } from './unique.ts';
import { isAlive, waitFor } from './wait.ts';
import { avroRecord } from '../../../kit/tools/avro-record.ts';

/** Records carry their own per-partition sequence, so order and completeness can be checked in the table. */
export const SEQUENCED_SCHEMA = avroRecord('kms.test.sequenced', {
  key_field: 'string',
  seq: 'long',
  produced_at: 'long',
  note: 'string',
  amount: 'double',
});

/**
 * A test world for real sink processes: its database and topics are created by `setup()`; records are
 * produced with per-partition sequence numbers; `cleanup()` kills the sinks, then drops and deletes it all.
 */
export class SinkScenario extends TestWorld {
  readonly partitions: number;
  readonly registry = new RegistryClient({ url: REGISTRY });
  #admin: Pool | undefined;
  #producer: Kafka.Producer | undefined;
  readonly #sequence = new Map<string, number>();
  readonly #sinks: SinkProcess[] = [];

  constructor(topicCount = 1, partitions = 3, prefix = 'kms_t', bootstrap = BOOTSTRAP) {
    super(
      Array.from({ length: topicCount }, () => uniqueName(prefix)),
      undefined,
      bootstrap,
    );
    this.partitions = partitions;
  }

  async setup(): Promise<void> {
    await this.db.create();
    this.#admin = await this.db.admin();
    for (const topic of this.topics) {
      await createTopic(this.bootstrap, { topic, num_partitions: this.partitions, replication_factor: 1 });
    }
  }

  /** Root connection to the server (no default database: qualify names with `database`). */
  get admin(): Pool {
    if (!this.#admin) throw new Error('setup() first');
    return this.#admin;
  }

  /** Sinks get a free status port of their own unless `extra` names one. */
  override settings(extra: Settings = {}): Settings {
    return super.settings({ 'status.port': 0, ...extra });
  }

  async producer(): Promise<Kafka.Producer> {
    if (this.#producer) return this.#producer;
    const producer = new Kafka.Producer({
      'bootstrap.servers': this.bootstrap,
      'linger.ms': 5,
      dr_cb: true,
      log_level: 0,
      'enable.idempotence': true,
    });
    await new Promise<void>((resolve, reject) =>
      producer.connect({ timeout: 10_000 }, (error) => (error ? reject(error) : resolve())),
    );
    producer.setPollInterval(20);
    this.#producer = producer;
    return producer;
  }

  /** Produces `perPartition` sequenced records into every partition of `topic` and waits for delivery. */
  async produceSequenced(topic: string, perPartition: number): Promise<void> {
    const schemaId = await this.registry.register(`${topic}-value`, SEQUENCED_SCHEMA);
    const type = parseAvroSchema(SEQUENCED_SCHEMA);
    const messages: { partition: number; key: Buffer; value: Buffer }[] = [];
    for (let partition = 0; partition < this.partitions; partition++) {
      const name = `${topic}/${partition}`;
      const first = this.#sequence.get(name) ?? 0;
      for (let seq = first; seq < first + perPartition; seq++) {
        const key = `p${partition}-${seq}`;
        messages.push({
          partition,
          key: Buffer.from(key),
          value: encodeWire(
            schemaId,
            type.toBuffer({ key_field: key, seq, produced_at: Date.now(), note: `seq=${seq}`, amount: seq / 7 }),
          ),
        });
      }
      this.#sequence.set(name, first + perPartition);
    }
    await this.produceRaw(topic, messages);
  }

  /** Produces raw bytes (poison records included) to exact partitions; resolves when all are delivered. */
  async produceRaw(
    topic: string,
    messages: readonly { partition: number; key: Buffer | null; value: Buffer | null }[],
  ): Promise<void> {
    const producer = await this.producer();
    let pending = messages.length;
    let failure: Error | undefined;
    const delivered = new Promise<void>((resolve) => {
      const onReport = (error: Kafka.LibrdKafkaError | null): void => {
        if (error) failure = new Error(error.message);
        if (--pending === 0) {
          producer.off('delivery-report', onReport);
          resolve();
        }
      };
      producer.on('delivery-report', onReport);
    });
    for (const m of messages) {
      for (;;) {
        try {
          producer.produce(topic, m.partition, m.value, m.key);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    }
    if (messages.length > 0) await delivered;
    if (failure) throw failure;
  }

  produced(topic: string, partition: number): number {
    return this.#sequence.get(`${topic}/${partition}`) ?? 0;
  }

  startSink(extra: Settings = {}, name = 'sink'): SinkProcess {
    const sink = new SinkProcess(this.sets(extra), name);
    this.#sinks.push(sink);
    return sink;
  }

  async offsets(topic: string): Promise<Map<number, number>> {
    const [rows] = await this.admin.query<ResultRow[]>(
      `SELECT \`partition\`, \`offset\` FROM \`${this.database}\`.kafka_offsets WHERE topic = ?`,
      [topic],
    );
    return new Map(rows.map((r) => [Number(r.partition), Number(r.offset)]));
  }

  /** Per partition: rows, distinct offsets, and whether seq follows offset order with no hole. */
  async tableState(
    topic: string,
  ): Promise<Map<number, { rows: number; distinct: number; ordered: boolean; maxSeq: number }>> {
    const [rows] = await this.admin.query<ResultRow[]>(
      `SELECT _kafka_partition AS p, _kafka_offset AS o, seq FROM \`${this.database}\`.\`${topic}\` ORDER BY _kafka_partition, _kafka_offset`,
    );
    const state = new Map<number, { rows: number; distinct: number; ordered: boolean; maxSeq: number }>();
    const lastSeq = new Map<number, number>();
    const seen = new Map<number, Set<number>>();
    for (const r of rows) {
      const p = Number(r.p);
      const s = state.get(p) ?? { rows: 0, distinct: 0, ordered: true, maxSeq: -1 };
      s.rows++;
      const offsets = seen.get(p) ?? new Set<number>();
      offsets.add(Number(r.o));
      seen.set(p, offsets);
      s.distinct = offsets.size;
      const previous = lastSeq.get(p) ?? -1;
      if (Number(r.seq) !== previous + 1) s.ordered = false;
      lastSeq.set(p, Number(r.seq));
      s.maxSeq = Math.max(s.maxSeq, Number(r.seq));
      state.set(p, s);
    }
    return state;
  }

  async deadLetters(topic: string): Promise<ResultRow[]> {
    const [rows] = await this.admin.query<ResultRow[]>(
      `SELECT \`partition\`, \`offset\`, error_kind, error_message, record_key, record_value FROM \`${this.database}\`.kafka_dead_letters WHERE topic = ? ORDER BY \`partition\`, \`offset\``,
      [topic],
    );
    return rows;
  }

  /** Waits until every partition's stored offset reached `expected(partition)`. */
  async waitForOffsets(topic: string, expected: (partition: number) => number, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      `offsets of ${topic}`,
      async () => {
        const offsets = await this.offsets(topic).catch(() => new Map<number, number>());
        for (let p = 0; p < this.partitions; p++) if ((offsets.get(p) ?? -1) < expected(p)) return false;
        return true;
      },
      { timeoutMs, intervalMs: 250 },
    );
  }

  override async cleanup(): Promise<void> {
    for (const sink of this.#sinks) await sink.kill('SIGKILL');
    if (this.#producer) await new Promise<void>((resolve) => this.#producer!.disconnect(() => resolve()));
    this.#admin = undefined;
    await super.cleanup();
  }
}

/** A real sink process (`node src/main.ts run`), its output captured for assertions. */
export class SinkProcess {
  readonly child: ChildProcess;
  readonly name: string;
  output = '';
  exitCode: number | null | undefined;
  readonly exited: Promise<number | null>;

  constructor(settings: string[], name: string) {
    this.name = name;
    this.child = spawnSink(settings, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk;
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk;
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => {
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }
  get running(): boolean {
    return this.exitCode === undefined && isAlive(this.pid);
  }

  /** Parsed JSON log lines. */
  logs(): Record<string, unknown>[] {
    return this.output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        try {
          return JSON.parse(l);
        } catch {
          return {};
        }
      });
  }

  async waitForLog(
    what: string,
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs = 30_000,
  ): Promise<void> {
    await waitFor(`${this.name}: ${what}`, () => this.logs().some(predicate), { timeoutMs });
  }

  async kill(signal: NodeJS.Signals): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    this.child.kill(signal);
    return this.exited;
  }

  rssMb(): number {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    } catch {
      return 0;
    }
  }
}

/** A test file's scenarios: set up, in order, before its tests, and cleaned up after them. */
export function useScenarios(...scenarios: readonly SinkScenario[]): void {
  before(async () => {
    for (const scenario of scenarios) await scenario.setup();
  });
  after(async () => {
    for (const scenario of scenarios) await scenario.cleanup();
  });
}

/** A test file's scenario with a proxy in front of one of its services: set up, then started; stopped first after the tests. */
export function useScenarioBehind(
  scenario: SinkScenario,
  proxy: { start(): Promise<unknown>; stop(): Promise<unknown> },
): void {
  before(async () => {
    await scenario.setup();
    await proxy.start();
  });
  after(async () => {
    await proxy.stop();
    await scenario.cleanup();
  });
}
