import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { isSinkError } from '../../../src/core/errors.ts';
import { loadConfig, type LoadConfigOptions } from '../../../src/config/load-config.ts';
import { redactConfig } from '../../../src/config/load-config.ts';
import { envVarFor } from '../../../src/config/env-names.ts';
import { CONFIG_KEYS } from '../../../src/config/key-table.ts';
import { groupIdFor, tableNameFor } from '../../../src/config/templates.ts';
import { parseProperties } from '../../../src/config/properties.ts';

import { SEED_PROPERTIES } from '../../fixtures/seed-properties.ts';

const EXAMPLE_FILE = new URL('../../../config/sink.properties', import.meta.url);

/** Loads with an empty environment unless one is given, so the machine's KMS_* never leak in. */
const load = (options: LoadConfigOptions = {}) => loadConfig({ env: {}, ...options });
const fromText = (text: string, options: LoadConfigOptions = {}) => load({ file: 'sink.properties', text, ...options });

function configError(options: LoadConfigOptions, pattern: RegExp, secret?: string): string {
  let message = '';
  assert.throws(
    () => load(options),
    (error: unknown) => {
      assert.ok(isSinkError(error, 'CONFIG_INVALID'), `expected CONFIG_INVALID, got ${String(error)}`);
      assert.equal(error.retriable, false);
      message = error.message;
      assert.match(message, pattern);
      assert.doesNotMatch(message, /[\r\n]/, 'one line');
      if (secret !== undefined) assert.ok(!message.includes(secret), `secret leaked: ${message}`);
      return true;
    },
  );
  return message;
}
const textError = (text: string, pattern: RegExp, secret?: string) =>
  configError({ file: 'sink.properties', text }, pattern, secret);

describe('loadConfig: defaults', () => {
  it('gives the documented defaults with no file, env or overrides', () => {
    const config = load();
    assert.deepEqual(config.kafka, {
      bootstrapServers: ['127.0.0.1:9092'],
      topics: ['dataset1', 'dataset2', 'dataset3'],
      schemaRegistryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
      groupIdTemplate: 'group-${topic}',
      clientId: 'kafka-mysql-sink',
      sessionTimeoutMs: 10000,
      fetchMaxBytes: 1048576,
      offsetHintIntervalMs: 5000,
      consumerProperties: {},
    });
    assert.deepEqual(config.backpressure, {
      maxPollRecords: 500,
      pollIntervalMs: 100,
      queueSize: 10000,
      lowWatermark: 0.5,
      resumeAt: 5000,
    });
    assert.deepEqual(config.mysql, {
      host: '127.0.0.1',
      port: 3307,
      database: 'bank',
      user: 'consumer',
      password: 'consumer1!',
      params: {},
      poolSize: 10,
      url: 'jdbc:mysql://127.0.0.1:3307/bank',
    });
    assert.deepEqual(config.sink, {
      tableTemplate: '${topic}',
      batchMaxRecords: 2000,
      batchLingerMs: 10,
      insertMode: 'insert',
      provenanceColumns: true,
      stringType: 'VARCHAR(255)',
      autoCreate: true,
      autoEvolve: true,
      fieldsInclude: [],
      fieldsExclude: [],
      pkFields: [],
      offsetsTable: 'kafka_offsets',
      deadLetterTable: 'kafka_dead_letters',
      retryMaxMs: 300000,
      retryInitialMs: 100,
    });
    assert.deepEqual(config.errors, { tolerance: 'all' });
    assert.deepEqual(config.status, { host: '127.0.0.1', port: 9464 });
    assert.deepEqual(config.log, { level: 'info' });
    assert.equal(config.origins['mysql.url'], 'default');
  });

  it('is deeply frozen', () => {
    const config = load();
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.kafka.topics));
    assert.ok(Object.isFrozen(config.mysql.params));
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

describe('loadConfig: layers', () => {
  it('lets the file override defaults', () => {
    const config = fromText('sink.batch.max.records=500\nsink.insert.mode=UPSERT');
    assert.equal(config.sink.batchMaxRecords, 500);
    assert.equal(config.sink.insertMode, 'upsert');
    assert.equal(config.origins['sink.batch.max.records'], 'sink.properties:1');
    assert.equal(config.origins['sink.linger.ms'], undefined);
    assert.equal(config.origins['sink.batch.linger.ms'], 'default');
  });

  it('lets the environment override the file', () => {
    const config = fromText('mysql.password=fromfile\nkafka.bootstrap.servers=a:1', {
      env: { KMS_MYSQL_PASSWORD: 'fromenv', KMS_KAFKA_BOOTSTRAP_SERVERS: 'b:2, c:3' },
    });
    assert.equal(config.mysql.password, 'fromenv');
    assert.deepEqual(config.kafka.bootstrapServers, ['b:2', 'c:3']);
    assert.equal(config.origins['mysql.password'], 'environment variable KMS_MYSQL_PASSWORD');
  });

  it('lets --set override the environment, the last --set winning', () => {
    const config = fromText('max.poll.records=1', {
      env: { KMS_MAX_POLL_RECORDS: '2' },
      overrides: ['max.poll.records=3', ' max.poll.records = 4'],
    });
    assert.equal(config.backpressure.maxPollRecords, 4);
    assert.equal(config.origins['max.poll.records'], '--set');
  });

  it('keeps everything after the first = of an override', () => {
    assert.equal(load({ overrides: ['mysql.password=a=b='] }).mysql.password, 'a=b=');
  });

  it('validates only the effective value', () => {
    assert.equal(
      fromText('max.poll.records=abc', { env: { KMS_MAX_POLL_RECORDS: '7' } }).backpressure.maxPollRecords,
      7,
    );
  });

  it('maps every key to its own env var', () => {
    const names = CONFIG_KEYS.map((spec) => envVarFor(spec.key));
    assert.equal(new Set(names).size, names.length);
    assert.equal(envVarFor('mysql.maxPoolSize'), 'KMS_MYSQL_MAXPOOLSIZE');
    assert.equal(load({ env: { KMS_MYSQL_MAXPOOLSIZE: '7' } }).mysql.poolSize, 7);
    assert.equal(load({ env: { KMS_MYSQL_MAX_POOL_SIZE: '8' } }).mysql.poolSize, 8);
  });

  it('ignores KMS_* variables that are not config keys', () => {
    const config = load({
      env: { KMS_ROOT: '/work/main', KMS_NODE_VERSION: '24', KMS_LOG_FILE: '/tmp/x.log', KMS_BOGUS: 'x', PATH: '/bin' },
    });
    assert.equal(config.log.level, 'info');
  });

  it('rejects the two spellings of an env var with different values', () => {
    configError(
      { env: { KMS_MYSQL_MAXPOOLSIZE: '7', KMS_MYSQL_MAX_POOL_SIZE: '8' } },
      /^config key mysql\.maxPoolSize \(from environment variables KMS_MYSQL_MAXPOOLSIZE and KMS_MYSQL_MAX_POOL_SIZE\) is set twice with different values; unset one/,
    );
  });

  it('names the env var in errors', () => {
    configError(
      { env: { KMS_BLOCKING_QUEUE_SIZE: '0' } },
      /^config key blocking\.queue\.size = "0" \(from environment variable KMS_BLOCKING_QUEUE_SIZE\) is out of range; set a whole number from 1 to 10000000$/,
    );
  });

  it('names the flag in errors', () => {
    configError(
      { overrides: ['log.level=loud'] },
      /^config key log\.level = "loud" \(from --set\) is not an allowed value; set one of trace, debug, info, warn, error, fatal, silent$/,
    );
  });

  it('rejects an override without key=value', () => {
    configError(
      { overrides: ['max.poll.records'] },
      /^flag --set "max\.poll\.records" is not key=value; write --set key=value/,
    );
    configError({ overrides: ['=hunter2'] }, /^flag --set is not key=value/, 'hunter2');
  });
});

describe('loadConfig: unknown keys', () => {
  it('suggests the closest key', () => {
    textError(
      'max.poll.records=1\nkafka.bootstrap.server=x:1',
      /^unknown config key "kafka\.bootstrap\.server" \(from sink\.properties:2\); did you mean "kafka\.bootstrap\.servers"\?$/,
    );
    textError('mysql.maxpoolsize=5', /did you mean "mysql\.maxPoolSize"\?/);
    textError('blocking_queue_size=5', /did you mean "blocking\.queue\.size"\?/);
    textError('sink.batch.max.record=5', /did you mean "sink\.batch\.max\.records"\?/);
    textError('bootstrap.servers=x', /did you mean "kafka\.bootstrap\.servers"\?/);
  });

  it('says what to do when nothing is close', () => {
    textError(
      'completely.different=1',
      /^unknown config key "completely\.different" \(from sink\.properties:1\); remove it \(the accepted keys are listed in config\/sink\.properties\)$/,
    );
  });

  it('rejects unknown keys from --set too, even if a later layer is fine', () => {
    configError(
      { overrides: ['sink.batch.linger=5'] },
      /^unknown config key "sink\.batch\.linger" \(from --set\); did you mean "sink\.batch\.linger\.ms"\?/,
    );
  });

  it('never shows the value of an unknown key (it may be a mistyped password)', () => {
    textError('mysql.pasword=hunter2', /did you mean "mysql\.password"\?/, 'hunter2');
  });

  it('counts further problems', () => {
    textError('a.b=1\nc.d=2\nmax.poll.records=x', /^unknown config key "a\.b" .* \(and 2 more config problems\)$/);
  });
});

describe('loadConfig: bad values', () => {
  const cases: readonly [string, RegExp][] = [
    [
      'max.poll.records=abc',
      /^config key max\.poll\.records = "abc" \(from sink\.properties:1\) is not a whole number; set a whole number from 1 to 100000$/,
    ],
    ['max.poll.records=1.5', /max\.poll\.records = "1\.5" .* is not a whole number/],
    ['max.poll.records=', /max\.poll\.records = "" .* is not a whole number/],
    ['max.poll.records=1e3', /is not a whole number/],
    ['poll.interval.ms=-1', /poll\.interval\.ms = "-1" .* is out of range; set a whole number from 0 to 600000/],
    ['blocking.queue.size=0', /blocking\.queue\.size = "0" .* is out of range; set a whole number from 1 to 10000000/],
    ['mysql.maxPoolSize=0', /mysql\.maxPoolSize = "0" .* is out of range; set a whole number from 1 to 1000/],
    ['mysql.maxPoolSize=1001', /mysql\.maxPoolSize = "1001" .* is out of range/],
    ['sink.batch.max.records=100001', /sink\.batch\.max\.records = "100001" .* from 1 to 100000/],
    ['sink.batch.max.records=99999999999999999999', /is out of range/],
    ['status.port=65536', /status\.port = "65536" .* from 0 to 65535/],
    [
      'sink.queue.low.watermark=1.5',
      /sink\.queue\.low\.watermark = "1\.5" .* is out of range; set a fraction from 0 to 1/,
    ],
    ['sink.queue.low.watermark=half', /is not a number; set a fraction/],
    [
      'sink.auto.create=maybe',
      /^config key sink\.auto\.create = "maybe" \(from sink\.properties:1\) is not a boolean; set true or false$/,
    ],
    [
      'sink.insert.mode=merge',
      /sink\.insert\.mode = "merge" .* is not an allowed value; set one of insert, upsert, ignore/,
    ],
    ['errors.tolerance=some', /errors\.tolerance = "some" .* set one of all, none/],
    [
      'kafka.schema.registry.url=localhost:8081',
      /^config key kafka\.schema\.registry\.url = "localhost:8081" .* is not an http\(s\) URL; set a URL like http:\/\/127\.0\.0\.1:8081\/apis\/ccompat\/v7$/,
    ],
    ['kafka.schema.registry.url=ftp://r/x', /is not an http\(s\) URL/],
    ['kafka.bootstrap.servers=', /kafka\.bootstrap\.servers = "" .* lists no brokers/],
    ['kafka.bootstrap.servers=a:1,b c:2', /has an invalid broker address "b c:2"; set comma-separated host:port pairs/],
    ['kafka.bootstrap.servers=a:99999', /invalid broker address "a:99999"/],
    ['kafka.client.id=  ', /kafka\.client\.id = "" .* is empty/],
    [
      'sink.string.type=TEXT; DROP TABLE x',
      /sink\.string\.type = "TEXT; DROP TABLE x" .* is not a supported string column type/,
    ],
    ['sink.string.type=VARCHAR(0)', /has a length out of range/],
    ['sink.string.type=VARCHAR(16384)', /has a length out of range/],
    ['sink.string.type=CHAR(256)', /has a length out of range/],
    ['sink.offsets.table=my offsets', /sink\.offsets\.table = "my offsets" .* is not a plain table name/],
    ['sink.deadletter.table=a`b', /sink\.deadletter\.table = "a`b" .* is not a plain table name/],
    ['sink.fields.include=id,2bad', /sink\.fields\.include = "id,2bad" .* has an invalid field name "2bad"/],
    ['status.host=bad host', /status\.host = "bad host" .* is not a host name or IP address/],
    ['kafka.session.timeout.ms=10', /kafka\.session\.timeout\.ms = "10" .* from 1000 to 3600000/],
    ['sink.pk.fields=id,2bad', /sink\.pk\.fields = "id,2bad" .* has an invalid field name "2bad"/],
    [
      'sink.pk.fields=id\nsink.fields.include=name,amount',
      /sink\.pk\.fields .* names "id", which sink\.fields\.include .* leaves out of the table/,
    ],
    [
      'sink.pk.fields=id,name\nsink.fields.exclude=name',
      /sink\.pk\.fields .* names "name", which sink\.fields\.exclude .* leaves out of the table/,
    ],
    [
      'sink.insert.mode=upsert\nsink.provenance.columns=false',
      /sink\.insert\.mode .* = upsert needs a key to match rows on.*set sink\.pk\.fields or sink\.provenance\.columns=true/,
    ],
    ['kafka.offset.hint.interval.ms=-1', /kafka\.offset\.hint\.interval\.ms = "-1" .* from 0 to 3600000/],
    ['kafka.offset.hint.interval.ms=soon', /kafka\.offset\.hint\.interval\.ms = "soon" .* not a whole number/],
  ];
  for (const [text, pattern] of cases) {
    it(`rejects ${text}`, () => {
      textError(text, pattern);
    });
  }

  it('hides registry credentials in errors', () => {
    textError(
      'kafka.schema.registry.url=ftp://reg-user:regpw@reg/x',
      /= "ftp:\/\/reg-user:\*\*\*@reg\/x" .* is not an http\(s\) URL/,
      'regpw',
    );
  });

  it('cuts very long values short in the message', () => {
    const message = textError(`kafka.client.id=\nmax.poll.records=${'9'.repeat(500)}`, /is out of range/);
    assert.ok(message.length < 400);
  });

  it('escapes control characters so the message stays one line', () => {
    textError('max.poll.records=1\\n2', /= "1\\n2" .* is not a whole number/);
  });
});

describe('loadConfig: accepted value forms', () => {
  it('trims values and parses booleans, enums and fractions leniently', () => {
    const config = fromText(
      'max.poll.records = 42  \nsink.auto.create=FALSE\nsink.auto.evolve=off\nsink.provenance.columns=0\nlog.level=Debug\nsink.queue.low.watermark=.25',
    );
    assert.equal(config.backpressure.maxPollRecords, 42);
    assert.equal(config.sink.autoCreate, false);
    assert.equal(config.sink.autoEvolve, false);
    assert.equal(config.sink.provenanceColumns, false);
    assert.equal(config.log.level, 'debug');
    assert.equal(config.backpressure.lowWatermark, 0.25);
    assert.equal(config.backpressure.resumeAt, 2500);
  });

  it('keeps the password verbatim, spaces included', () => {
    assert.equal(load({ env: { KMS_MYSQL_PASSWORD: ' pa ss ' } }).mysql.password, ' pa ss ');
    assert.equal(load({ env: { KMS_MYSQL_PASSWORD: '' } }).mysql.password, '');
  });

  it('normalises the string type', () => {
    assert.equal(fromText('sink.string.type= varchar( 1000 )').sink.stringType, 'VARCHAR(1000)');
    assert.equal(fromText('sink.string.type=longtext').sink.stringType, 'LONGTEXT');
  });

  it('drops empty list items and strips the registry URL trailing slash', () => {
    const config = fromText(
      'kafka.topics=a,,b,\nkafka.schema.registry.url=https://user:pw@reg:8443/apis/ccompat/v7/\nsink.fields.exclude=x, y ,x',
    );
    assert.deepEqual(config.kafka.topics, ['a', 'b']);
    assert.equal(config.kafka.schemaRegistryUrl, 'https://user:pw@reg:8443/apis/ccompat/v7');
    assert.deepEqual(config.sink.fieldsExclude, ['x', 'y']);
  });

  it('accepts broker addresses with protocol, IPv6 or no port', () => {
    assert.deepEqual(fromText('kafka.bootstrap.servers=PLAINTEXT://a:9092,[::1]:9093,broker').kafka.bootstrapServers, [
      'PLAINTEXT://a:9092',
      '[::1]:9093',
      'broker',
    ]);
  });

  it('accepts a registry URL without the ccompat path as given', () => {
    assert.equal(
      fromText('kafka.schema.registry.url=http://localhost:8081').kafka.schemaRegistryUrl,
      'http://localhost:8081',
    );
  });

  it('disables the status server with port 0', () => {
    assert.equal(fromText('status.port=0').status.port, 0);
  });
});

describe('loadConfig: topics', () => {
  it('rejects an empty topic list', () => {
    textError(
      'kafka.topics=',
      /^config key kafka\.topics = "" \(from sink\.properties:1\) lists no topics; set one or more comma-separated topic names/,
    );
    textError('kafka.topics= , ,', /lists no topics/);
  });

  it('rejects invalid topic names with the Kafka rules', () => {
    textError(
      'kafka.topics=ok,bad topic',
      /kafka\.topics = "ok,bad topic" .* has an invalid topic name "bad topic"; use 1 to 249 characters from a-z A-Z 0-9 \. _ -/,
    );
    textError('kafka.topics=a;DROP', /invalid topic name "a;DROP"/);
    textError('kafka.topics=..', /invalid topic name "\.\."/);
    textError(`kafka.topics=${'t'.repeat(250)}`, /invalid topic name/);
  });

  it('accepts a 249-character topic when the table template shortens it', () => {
    const topic = 't'.repeat(249);
    const config = fromText(`kafka.topics=${topic}\nsink.table.template=t_x`);
    assert.deepEqual(config.kafka.topics, [topic]);
  });

  it('rejects a topic listed twice', () => {
    textError('kafka.topics=a,b,a', /lists topic "a" twice; list each topic once/);
  });
});

describe('loadConfig: MySQL', () => {
  it('rejects a bad URL without showing the password', () => {
    textError(
      'mysql.url=jdbc:mysql://app:S3cretPass@db:99999/bank',
      /^config key mysql\.url = "jdbc:mysql:\/\/app:\*\*\*@db:99999\/bank" \(from sink\.properties:1\) has a port out of range .*use a URL like jdbc:mysql:\/\/127\.0\.0\.1:3306\/bank/,
      'S3cretPass',
    );
    configError(
      { env: { KMS_MYSQL_URL: 'postgres://app:S3cretPass@db/bank' } },
      /mysql\.url .* \(from environment variable KMS_MYSQL_URL\) is not a MySQL\/MariaDB URL/,
      'S3cretPass',
    );
  });

  it('never shows mysql.password, even next to other problems', () => {
    const message = textError('mysql.password=S3cretPass\nmysql.url=nope', /mysql\.url/, 'S3cretPass');
    assert.ok(!message.includes('S3cretPass'));
  });

  it('uses URL credentials over defaults, explicit keys over URL credentials', () => {
    const fromUrl = fromText('mysql.url=mysql://app:pw@db:3307/shop?charset=utf8mb4');
    assert.deepEqual(
      [
        fromUrl.mysql.host,
        fromUrl.mysql.port,
        fromUrl.mysql.database,
        fromUrl.mysql.user,
        fromUrl.mysql.password,
        fromUrl.mysql.params,
      ],
      ['db', 3307, 'shop', 'app', 'pw', { charset: 'utf8mb4' }],
    );
    assert.equal(fromUrl.mysql.url, 'mysql://app:***@db:3307/shop?charset=utf8mb4');
    const explicit = fromText('mysql.url=mysql://app:pw@db/shop\nmysql.username=other', {
      env: { KMS_MYSQL_PASSWORD: 'envpw' },
    });
    assert.equal(explicit.mysql.user, 'other');
    assert.equal(explicit.mysql.password, 'envpw');
  });
});

describe('loadConfig: templates and table names', () => {
  it('renders group ids and table names', () => {
    const config = fromText('kafka.group.id.template=sink-${topic}-v2\nsink.table.template=t_${topic}');
    assert.equal(groupIdFor(config, 'dataset1'), 'sink-dataset1-v2');
    assert.equal(tableNameFor(config, 'dataset1'), 't_dataset1');
  });

  it('rejects unknown placeholders', () => {
    textError(
      'kafka.group.id.template=group-${topik}',
      /^config key kafka\.group\.id\.template = "group-\$\{topik\}" \(from sink\.properties:1\) has unknown placeholder "\$\{topik\}" \(only \$\{topic\} is supported\); use \$\{topic\}/,
    );
    textError(
      'sink.table.template=${topic}_${partition}',
      /sink\.table\.template = .* has unknown placeholder "\$\{partition\}"/,
    );
    textError('sink.table.template=t_${topic', /has an unclosed "\$\{"/);
    textError('sink.table.template=', /sink\.table\.template = "" .* is empty/);
  });

  it('refuses templates with leading or trailing whitespace instead of trimming them', () => {
    textError(
      'sink.table.template=${topic} ',
      /^config key sink\.table\.template = "\$\{topic\} " \(from sink\.properties:1\) ends with whitespace, which would end every name it gives; remove the surrounding whitespace: "\$\{topic\}"$/,
    );
    textError(
      'sink.table.template=t_${topic}\\t',
      /sink\.table\.template = "t_\$\{topic\}\\t" .* ends with whitespace/,
    );
    textError(
      'sink.table.template=\\ t_${topic}',
      /sink\.table\.template = " t_\$\{topic\}" .* starts with whitespace/,
    );
    textError(
      'kafka.group.id.template=group-${topic}  ',
      /kafka\.group\.id\.template = "group-\$\{topic\} {2}" .* ends with whitespace/,
    );
    textError('sink.table.template=\\ \\ ', /sink\.table\.template = " {2}" .* is only whitespace; use \$\{topic\}/);
    configError(
      { overrides: ['sink.table.template=${topic} '] },
      /^config key sink\.table\.template = "\$\{topic\} " \(from --set\) ends with whitespace/,
    );
    configError(
      { env: { KMS_SINK_TABLE_TEMPLATE: ' ${topic}' } },
      /^config key sink\.table\.template = " \$\{topic\}" \(from environment variable KMS_SINK_TABLE_TEMPLATE\) starts with whitespace/,
    );
  });

  it('refuses a table name with surrounding whitespace for a topic only known at run time', () => {
    assert.throws(() => tableNameFor({ sink: { tableTemplate: '${topic}' } }, 'x '), {
      code: 'CONFIG_INVALID',
      message: /gives a table name ending in whitespace for topic "x "/,
    });
  });

  it('rejects a template giving table names over 64 characters', () => {
    textError(
      `kafka.topics=${'a'.repeat(60)}\nsink.table.template=prefix_\${topic}`,
      /sink\.table\.template = "prefix_\$\{topic\}" .* gives a table name longer than 64 characters for topic "a{60}"/,
    );
  });

  it('checks unlisted topics in tableNameFor', () => {
    const config = load();
    assert.throws(() => tableNameFor(config, 'x'.repeat(65)), {
      code: 'CONFIG_INVALID',
      message: /^config key sink\.table\.template = "\$\{topic\}" gives a table name longer than 64 characters/,
    });
  });

  it('rejects two topics landing in one table', () => {
    textError(
      'kafka.topics=a,b\nsink.table.template=events',
      /^config: topic "b" via sink\.table\.template \(from sink\.properties:2\) and topic "a" via .* both use table "events"; include \$\{topic\} in sink\.table\.template/,
    );
    textError('kafka.topics=Orders,orders', /both use table "orders"/);
  });

  it('rejects a topic table that is the offsets or dead-letter table', () => {
    textError(
      'kafka.topics=kafka_offsets',
      /^config: topic "kafka_offsets" via sink\.table\.template \(from default\) and sink\.offsets\.table \(from default\) both use table "kafka_offsets"; rename that table/,
    );
    textError(
      'sink.deadletter.table=KAFKA_OFFSETS',
      /sink\.deadletter\.table \(from sink\.properties:1\) and sink\.offsets\.table \(from default\) both use table/,
    );
  });
});

describe('loadConfig: cross-key checks', () => {
  it('rejects include and exclude together', () => {
    textError(
      'sink.fields.include=a\nsink.fields.exclude=b',
      /^config keys sink\.fields\.include \(from sink\.properties:1\) and sink\.fields\.exclude \(from sink\.properties:2\) are both set; set only one of them$/,
    );
  });

  it('rejects a first retry delay above the budget', () => {
    textError(
      'sink.retry.initial.ms=500000',
      /sink\.retry\.initial\.ms = "500000" .* is larger than sink\.retry\.max\.ms \(300000\)/,
    );
    assert.equal(fromText('sink.retry.max.ms=0\nsink.retry.initial.ms=500000').sink.retryMaxMs, 0);
  });
});

describe('loadConfig: librdkafka pass-through', () => {
  it('keeps sink.pk.fields in order, once each', () => {
    assert.deepEqual(fromText('sink.pk.fields=region, id,region').sink.pkFields, ['region', 'id']);
  });

  it('collects kafka.consumer.* properties', () => {
    const config = fromText('kafka.consumer.auto.offset.reset=earliest\nkafka.consumer.sasl.password= x ', {
      overrides: ['kafka.consumer.fetch.wait.max.ms=50'],
    });
    assert.deepEqual(config.kafka.consumerProperties, {
      'auto.offset.reset': 'earliest',
      'sasl.password': 'x ',
      'fetch.wait.max.ms': '50',
    });
    assert.equal(config.origins['kafka.consumer.fetch.wait.max.ms'], '--set');
  });

  it('rejects properties the sink manages', () => {
    textError(
      'kafka.consumer.enable.auto.commit=true',
      /^config key kafka\.consumer\.enable\.auto\.commit = "true" .* overrides a property the sink manages; remove it: offsets are committed to MySQL/,
    );
    textError('kafka.consumer.group.id=x', /set kafka\.group\.id\.template instead/);
    textError('kafka.consumer.bootstrap.servers=x', /set kafka\.bootstrap\.servers instead/);
  });

  it('rejects malformed property names without showing secret values', () => {
    textError(
      'kafka.consumer.=x',
      /^config key kafka\.consumer\. \(from sink\.properties:1\) does not name a librdkafka property; write kafka\.consumer\.<property>/,
    );
    textError('kafka.consumer.Sasl Password=hunter2', /does not name a librdkafka property/, 'hunter2');
  });
});

describe('redactConfig', () => {
  it('hides every credential and keeps the rest', () => {
    const config = fromText(
      [
        'mysql.url=jdbc:mysql://db/bank?password=urlpw&useSSL=true',
        'mysql.password=filepw',
        'kafka.schema.registry.url=https://reg-user:regpw@reg/apis/ccompat/v7',
        'kafka.consumer.sasl.password=saslpw',
        'kafka.consumer.sasl.username=alice',
      ].join('\n'),
    );
    assert.equal(config.mysql.password, 'filepw');
    const redacted = redactConfig(config);
    const json = JSON.stringify(redacted);
    for (const secret of ['urlpw', 'filepw', 'regpw', 'saslpw'])
      assert.ok(!json.includes(secret), `${secret} leaked: ${json}`);
    assert.equal(redacted.mysql.password, '***');
    assert.equal(redacted.kafka.schemaRegistryUrl, 'https://reg-user:***@reg/apis/ccompat/v7');
    assert.deepEqual(redacted.kafka.consumerProperties, { 'sasl.password': '***', 'sasl.username': 'alice' });
    assert.equal(redacted.mysql.database, 'bank');
    assert.equal(redacted.sink.batchMaxRecords, 2000);
  });

  it('returns a plain copy and leaves the config untouched', () => {
    const config = load();
    const redacted = redactConfig(config);
    assert.ok(!Object.isFrozen(redacted));
    assert.equal(config.mysql.password, 'consumer1!');
  });
});
