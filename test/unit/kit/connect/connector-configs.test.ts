import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  apicurioAvroConverter,
  jdbcSinkConfig,
  mariadbUrl,
  redacted,
  registryV2From,
} from '../../../../kit/connect/connector-configs.ts';

const base = {
  topics: ['t1', 't2'],
  connectionUrl: 'jdbc:mariadb://127.0.0.1:3306/db?nullDatabaseMeansCurrent=true',
  user: 'u',
  password: 'secret',
  registryV2Url: 'http://127.0.0.1:8381/apis/registry/v2',
  tasks: 9,
};

describe('connector configs', () => {
  it('renders the JDBC sink as the benchmark configures it', () => {
    const config = jdbcSinkConfig(base);
    assert.equal(config['connector.class'], 'io.debezium.connector.jdbc.JdbcSinkConnector');
    assert.equal(config['tasks.max'], '9');
    assert.equal(config.topics, 't1,t2');
    assert.equal(config['insert.mode'], 'insert');
    assert.equal(config['primary.key.mode'], 'kafka');
    assert.equal(config['schema.evolution'], 'basic');
    assert.equal(config['quote.identifiers'], 'true');
    assert.equal(config['connection.username'], 'u');
    assert.equal(config['key.converter'], 'org.apache.kafka.connect.converters.ByteArrayConverter');
    assert.equal(config['value.converter'], 'io.apicurio.registry.utils.converter.AvroConverter');
    assert.equal('batch.size' in config, false, 'the connector default unless asked');
    assert.equal('consumer.override.max.poll.records' in config, false);
  });

  it('sets batch size, poll size, a decoded key and extra properties when asked', () => {
    const config = jdbcSinkConfig({
      ...base,
      batchSize: 5000,
      maxPollRecords: 2000,
      decodeKey: true,
      extra: { 'batch.size': '7', 'errors.tolerance': 'all' },
    });
    assert.equal(config['batch.size'], '7', 'extra wins');
    assert.equal(config['consumer.override.max.poll.records'], '2000');
    assert.equal(config['key.converter'], 'io.apicurio.registry.utils.converter.AvroConverter');
    assert.equal(config['key.converter.apicurio.registry.as-confluent'], 'true');
    assert.equal(config['errors.tolerance'], 'all');
  });

  it('reads Confluent-format ids through Apicurio', () => {
    assert.deepEqual(apicurioAvroConverter('value.converter', 'http://r/apis/registry/v2'), {
      'value.converter': 'io.apicurio.registry.utils.converter.AvroConverter',
      'value.converter.apicurio.registry.url': 'http://r/apis/registry/v2',
      'value.converter.apicurio.registry.as-confluent': 'true',
      'value.converter.apicurio.registry.use-id': 'contentId',
      'value.converter.apicurio.registry.headers.enabled': 'false',
    });
  });

  it('derives the registry v2 URL from the sink setting and builds MariaDB URLs', () => {
    assert.equal(registryV2From('http://127.0.0.1:8381/apis/ccompat/v7'), 'http://127.0.0.1:8381/apis/registry/v2');
    assert.equal(registryV2From('http://localhost/apis/ccompat/v7'), 'http://localhost:80/apis/registry/v2');
    assert.equal(
      mariadbUrl('127.0.0.1', 3306, 'kms_x'),
      'jdbc:mariadb://127.0.0.1:3306/kms_x?nullDatabaseMeansCurrent=true',
    );
    assert.equal(
      mariadbUrl('127.0.0.1', 3306, 'kms_x', { tls: true }),
      'jdbc:mariadb://127.0.0.1:3306/kms_x?nullDatabaseMeansCurrent=true&sslMode=trust',
    );
  });

  it('masks secrets before printing', () => {
    const shown = redacted(jdbcSinkConfig(base));
    assert.equal(shown['connection.password'], '******');
    assert.equal(shown['connection.username'], 'u');
  });
});
