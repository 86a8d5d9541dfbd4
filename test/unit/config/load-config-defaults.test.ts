// loadConfig: the defaults, the seed file and the shipped example file.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { CONFIG_KEYS } from '../../../src/config/key-table.ts';
import { groupIdFor, tableNameFor } from '../../../src/config/templates.ts';
import { parseProperties } from '../../../src/config/properties.ts';
import { SEED_PROPERTIES } from '../../fixtures/seed-properties.ts';
import { load, fromText, configError } from './load-config-helpers.ts';

const EXAMPLE_FILE = new URL('../../../config/sink.properties', import.meta.url);

describe('loadConfig: defaults', () => {
  it('gives the documented defaults with no file, env or overrides', () => {
    const config = load();
    assert.deepEqual(config.kafka, {
      bootstrapServers: ['127.0.0.1:9092'],
      topics: ['dataset1', 'dataset2', 'dataset3'],
      schemaRegistryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
      valueSubjectNameStrategy: 'TopicNameStrategy',
      registry: { credentialsSource: 'url', userInfo: '', caLocation: undefined },
      security: {
        protocol: 'plaintext',
        saslMechanism: 'plain',
        saslUsername: '',
        saslPassword: '',
        sslCaLocation: undefined,
        sslCertificateLocation: undefined,
        sslKeyLocation: undefined,
      },
      groupIdTemplate: 'group-${topic}',
      clientId: 'kafka-mysql-sink',
      groupInstanceId: 'auto',
      sessionTimeoutMs: 10000,
      fetchMaxBytes: 1048576,
      offsetHintIntervalMs: 5000,
      consumerProperties: {},
    });
    assert.deepEqual(config.backpressure, {
      maxPollRecords: 500,
      pollIntervalMs: 100,
      queueSize: 5000,
      lowWatermark: 0.5,
      resumeAt: 2500,
    });
    assert.deepEqual(config.mysql, {
      host: '127.0.0.1',
      port: 3307,
      database: 'bank',
      user: 'consumer',
      password: 'consumer1!',
      poolSize: 10,
      writeProtocol: 'bulk',
      ssl: { mode: 'preferred' },
      url: 'jdbc:mysql://127.0.0.1:3307/bank',
    });
    assert.deepEqual(config.sink, {
      tableTemplate: '${topic}',
      batchMaxRecords: 2000,
      batchLingerMs: 10,
      insertMode: 'insert',
      updateMissing: 'skip',
      deleteEnabled: false,
      cdcFormat: 'none',
      cdcColumns: [],
      provenanceColumns: true,
      stringType: 'VARCHAR(255)',
      columnTypes: {},
      autoCreate: true,
      autoEvolve: true,
      fieldsInclude: [],
      fieldsExclude: [],
      pkMode: 'kafka',
      pkFields: [],
      keyFormat: 'avro',
      offsetsTable: 'kafka_offsets',
      deadLetterTable: 'kafka_dead_letters',
      retryMaxMs: 300000,
      retryInitialMs: 100,
    });
    assert.deepEqual(config.errors, { tolerance: 'all', deadLetterLogMax: 10, deadLetterLogIntervalMs: 10_000 });
    assert.deepEqual(config.status, { host: '127.0.0.1', port: 9464, healthGraceMs: 15_000 });
    assert.deepEqual(config.log, { level: 'info' });
    assert.equal(config.origins['mysql.url'], 'default');
  });

  it('is deeply frozen', () => {
    const config = load();
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.kafka.topics));
    assert.ok(Object.isFrozen(config.mysql.ssl));
    assert.throws(() => {
      (config.kafka.topics as string[]).push('x');
    }, TypeError);
    assert.throws(() => {
      (config.mysql as { password: string }).password = 'x';
    }, TypeError);
  });
});

describe('loadConfig: seed file', () => {
  it('accepts the seed README file unchanged, with the same meaning', () => {
    const config = fromText(SEED_PROPERTIES);
    assert.deepEqual(config.kafka.bootstrapServers, ['localhost:9091', 'localhost:9092', 'localhost:9093']);
    assert.deepEqual(config.kafka.topics, ['dataset1', 'dataset2', 'dataset3']);
    assert.equal(config.kafka.schemaRegistryUrl, 'http://localhost:8081');
    assert.equal(config.backpressure.maxPollRecords, 10);
    assert.equal(config.backpressure.pollIntervalMs, 100);
    assert.equal(config.backpressure.queueSize, 300);
    assert.equal(config.backpressure.resumeAt, 150);
    assert.deepEqual(
      {
        host: config.mysql.host,
        port: config.mysql.port,
        database: config.mysql.database,
        user: config.mysql.user,
        password: config.mysql.password,
        poolSize: config.mysql.poolSize,
      },
      { host: 'localhost', port: 3306, database: 'bank', user: 'consumer', password: 'consumer1!', poolSize: 50 },
    );
    assert.equal(groupIdFor(config, 'dataset1'), 'group-dataset1');
    assert.equal(tableNameFor(config, 'dataset2'), 'dataset2');
    assert.equal(config.origins['max.poll.records'], 'sink.properties:7');
  });

  it('reads the file from disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kms-config-'));
    try {
      const file = join(dir, 'seed.properties');
      writeFileSync(file, SEED_PROPERTIES);
      const config = load({ file });
      assert.equal(config.mysql.poolSize, 50);
      assert.equal(config.origins['mysql.maxPoolSize'], `${file}:15`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a missing file with its path', () => {
    configError(
      { file: '/nonexistent/sink.properties' },
      /^config file "\/nonexistent\/sink\.properties" does not exist; pass a readable properties file/,
    );
  });
});

describe('loadConfig: shipped example file', () => {
  const text = readFileSync(EXAMPLE_FILE, 'utf8');

  it('loads to exactly the defaults', () => {
    const { origins: _a, ...fromFile } = load({ file: fileURLToPath(EXAMPLE_FILE) });
    const { origins: _b, ...defaults } = load();
    assert.deepEqual(fromFile, defaults);
  });

  it('sets every seed key and documents every other key with its default and description', () => {
    const set = parseProperties(text);
    for (const spec of CONFIG_KEYS) {
      if (spec.seed) {
        assert.equal(set.get(spec.key), spec.default, spec.key);
      } else {
        assert.ok(!set.has(spec.key), `${spec.key} should be commented out`);
        assert.ok(text.includes(`# ${spec.description}\n#${spec.key}=${spec.default}\n`), `${spec.key} documented`);
      }
    }
  });
});
