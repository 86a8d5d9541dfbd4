import { join } from 'node:path';
import { loadConfig, type SinkConfig } from '../../../src/config/index.ts';
import { deleteTopic } from './kafka-client.ts';
import { PROJECT_ROOT } from './kms-cli.ts';
import { ScratchDatabase } from './scratch-database.ts';
import { BOOTSTRAP, REGISTRY, mysqlUrl, setFlags } from './services.ts';

export type Settings = Readonly<Record<string, string | number>>;

/**
 * What every integration test file owns on the shared services: a database and topics of its own (unique
 * names), the settings pointing a sink or a `./kms` command at them, and `cleanup()`, which drops the
 * database and deletes the topics and their registry subjects.
 */
export class TestWorld {
  readonly db: ScratchDatabase;
  readonly topics: readonly string[];
  /** The Kafka the topics live on: the stack's, or a broker of the test's own (one it can stop). */
  readonly bootstrap: string;

  constructor(topics: readonly string[], db: ScratchDatabase = new ScratchDatabase(), bootstrap = BOOTSTRAP) {
    this.topics = topics;
    this.bootstrap = bootstrap;
    this.db = db;
  }

  get database(): string {
    return this.db.name;
  }

  /** The keys that point at this world, then `extra`. */
  settings(extra: Settings = {}): Settings {
    return {
      'kafka.bootstrap.servers': this.bootstrap,
      'kafka.schema.registry.url': REGISTRY,
      'kafka.topics': this.topics.join(','),
      'mysql.url': mysqlUrl(this.database),
      ...extra,
    };
  }

  /** `settings` as `--set` flags. */
  sets(extra: Settings = {}): string[] {
    return setFlags(this.settings(extra));
  }

  /** What a `./kms` command given `sets(extra)` would load (defaults from config/sink.properties). */
  config(extra: Settings = {}): SinkConfig {
    const overrides = Object.entries(this.settings(extra)).map(([key, value]) => `${key}=${value}`);
    return loadConfig({ file: join(PROJECT_ROOT, 'config', 'sink.properties'), overrides });
  }

  async cleanup(): Promise<void> {
    await this.db.drop();
    for (const topic of this.topics) await deleteTopic(this.bootstrap, topic).catch(() => {});
    for (const topic of this.topics) {
      for (const subject of [`${topic}-value`, `${topic}-key`]) {
        await fetch(`${REGISTRY}/subjects/${subject}`, { method: 'DELETE' }).catch(() => {});
        await fetch(`${REGISTRY}/subjects/${subject}?permanent=true`, { method: 'DELETE' }).catch(() => {});
      }
    }
  }
}
