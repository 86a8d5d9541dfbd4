// loadConfig: the MySQL connection, name templates, cross-key checks and librdkafka pass-through.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactConfig } from '../../../src/config/load-config.ts';
import { groupIdFor, tableNameFor } from '../../../src/config/templates.ts';
import { load, fromText, configError, textError } from './load-config-helpers.ts';

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
        fromUrl.mysql.ssl,
      ],
      ['db', 3307, 'shop', 'app', 'pw', { mode: 'preferred' }],
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
    const config = fromText('kafka.consumer.auto.offset.reset=earliest\nkafka.consumer.ssl.key.password= x ', {
      overrides: ['kafka.consumer.fetch.wait.max.ms=50'],
    });
    assert.deepEqual(config.kafka.consumerProperties, {
      'auto.offset.reset': 'earliest',
      'ssl.key.password': 'x ',
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
    // Security settings are shared by every client, so they have keys of their own.
    textError('kafka.consumer.sasl.password=hunter2', /= <hidden> .* set kafka\.sasl\.password instead/, 'hunter2');
    textError('kafka.consumer.security.protocol=SSL', /set kafka\.security\.protocol instead/);
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
        'kafka.security.protocol=SASL_SSL',
        'kafka.sasl.username=alice',
        'kafka.sasl.password=saslpw',
        'kafka.consumer.ssl.key.password=keypw',
      ].join('\n'),
    );
    assert.equal(config.mysql.password, 'filepw');
    const redacted = redactConfig(config);
    const json = JSON.stringify(redacted);
    for (const secret of ['urlpw', 'filepw', 'regpw', 'saslpw', 'keypw'])
      assert.ok(!json.includes(secret), `${secret} leaked: ${json}`);
    assert.equal(redacted.mysql.password, '***');
    assert.equal(redacted.kafka.schemaRegistryUrl, 'https://reg-user:***@reg/apis/ccompat/v7');
    assert.deepEqual(redacted.kafka.consumerProperties, { 'ssl.key.password': '***' });
    assert.equal(redacted.kafka.security.saslPassword, '***');
    assert.equal(redacted.kafka.security.saslUsername, 'alice');
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
