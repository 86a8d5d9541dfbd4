import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/index.ts';
import { isSinkError } from '../../../src/core/errors.ts';
import { consumerConfig } from '../../../src/kafka/consumer-config.ts';
import { fetchOptionsOf } from '../../../src/kafka/fetch-options.ts';
import { kafkaSecurity } from '../../../src/kafka/security-config.ts';
import { placeholderPems } from '../../fixtures/pem-files.ts';
import { consumerOptions } from './consumer-options.ts';

const { CA, CERT, KEY } = placeholderPems('FETCH');

describe('record fetcher options', () => {
  it("take the fetch bounds from the consumer's own librdkafka settings", () => {
    const options = fetchOptionsOf(
      consumerConfig(consumerOptions({ bootstrapServers: '127.0.0.1:9092,127.0.0.2:9093' })),
    );
    assert.deepEqual(options, {
      bootstrapBrokers: ['127.0.0.1:9092', '127.0.0.2:9093'],
      clientId: 'kms-1',
      maxBytes: 1_048_576,
      maxBytesPerPartition: 262_144,
      maxWaitTime: 500,
      minBytes: 1,
      isolationLevel: 1,
      connectTimeout: 30_000,
    });
  });

  it('follow kafka.consumer.* overrides of the same librdkafka names', () => {
    const options = fetchOptionsOf(
      consumerConfig(
        consumerOptions({
          extra: {
            'max.partition.fetch.bytes': '65536',
            'fetch.wait.max.ms': '50',
            'fetch.min.bytes': '1024',
            'isolation.level': 'read_uncommitted',
          },
        }),
      ),
    );
    assert.equal(options.maxBytesPerPartition, 65_536);
    assert.equal(options.maxWaitTime, 50);
    assert.equal(options.minBytes, 1024);
    assert.equal(options.isolationLevel, 0);
  });

  it('use the same TLS files and SASL login as the group member', () => {
    const config = loadConfig({
      env: {},
      overrides: [
        'kafka.security.protocol=SASL_SSL',
        'kafka.sasl.mechanism=scram-sha-256',
        'kafka.sasl.username=alice',
        'kafka.sasl.password=s3cret',
        `kafka.ssl.ca.location=${CA}`,
        `kafka.ssl.certificate.location=${CERT}`,
        `kafka.ssl.key.location=${KEY}`,
      ],
    });
    const options = fetchOptionsOf(consumerConfig(consumerOptions({ security: kafkaSecurity(config) })));
    assert.deepEqual(options.sasl, { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 's3cret' });
    assert.ok(
      Buffer.isBuffer(options.tls?.ca) && Buffer.isBuffer(options.tls?.cert) && Buffer.isBuffer(options.tls?.key),
    );
    assert.equal(options.tls?.checkServerIdentity, undefined, 'host names are checked unless turned off');
  });

  it('plaintext: no TLS, no SASL', () => {
    const options = fetchOptionsOf(consumerConfig(consumerOptions()));
    assert.equal(options.tls, undefined);
    assert.equal(options.sasl, undefined);
  });

  it('turn the host name check off only when librdkafka is told to', () => {
    const options = fetchOptionsOf({
      'bootstrap.servers': '127.0.0.1:9093',
      'security.protocol': 'ssl',
      'ssl.endpoint.identification.algorithm': 'none',
    });
    assert.equal(typeof options.tls?.checkServerIdentity, 'function');
  });

  it('refuse a fetch bound that is not a whole number, naming the key', () => {
    assert.throws(
      () => fetchOptionsOf(consumerConfig(consumerOptions({ extra: { 'fetch.wait.max.ms': 'soon' } }))),
      (error: unknown) =>
        isSinkError(error, 'CONFIG_INVALID') && /kafka\.consumer\.fetch\.wait\.max\.ms/.test(error.message),
    );
  });

  it('refuse an unknown isolation level, naming the key', () => {
    assert.throws(
      () => fetchOptionsOf(consumerConfig(consumerOptions({ extra: { 'isolation.level': 'dirty' } }))),
      (error: unknown) =>
        isSinkError(error, 'CONFIG_INVALID') && /kafka\.consumer\.isolation\.level/.test(error.message),
    );
  });

  it('refuse an unreadable TLS file, naming its key', () => {
    assert.throws(
      () =>
        fetchOptionsOf({
          'bootstrap.servers': '127.0.0.1:9093',
          'security.protocol': 'ssl',
          'ssl.ca.location': '/nonexistent/ca.pem',
        }),
      (error: unknown) => isSinkError(error, 'CONFIG_INVALID') && /kafka\.ssl\.ca\.location/.test(error.message),
    );
  });
});
