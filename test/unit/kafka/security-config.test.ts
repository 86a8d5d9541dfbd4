import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/index.ts';
import { isSinkError } from '../../../src/core/errors.ts';
import { consumerConfig } from '../../../src/kafka/consumer-config.ts';
import { clientSettings, kafkaAddress } from '../../../src/kafka/metadata-client.ts';
import { kafkaSecurity } from '../../../src/kafka/security-config.ts';
import { kafkaSecurityFailure } from '../../../src/kafka/security-errors.ts';
import { placeholderPems } from '../../fixtures/pem-files.ts';
import { consumerOptions } from './consumer-options.ts';

const { dir, CA, CERT, KEY } = placeholderPems('PEM');
const load = (...overrides: string[]) => loadConfig({ env: {}, overrides });

function refused(pattern: RegExp, ...overrides: string[]): void {
  assert.throws(
    () => load(...overrides),
    (error: unknown) =>
      isSinkError(error, 'CONFIG_INVALID') && pattern.test(error.message) && !/\n/.test(error.message),
  );
}

describe('Kafka security settings', () => {
  it('are plaintext by default', () => {
    assert.deepEqual(kafkaSecurity(load()), { 'security.protocol': 'plaintext' });
  });

  it('map SASL_SSL with SCRAM onto librdkafka names (mechanism upper case)', () => {
    const config = load(
      'kafka.security.protocol=SASL_SSL',
      'kafka.sasl.mechanism=scram-sha-512',
      'kafka.sasl.username=alice',
      'kafka.sasl.password= s3cret ',
      `kafka.ssl.ca.location=${CA}`,
    );
    const security = {
      'security.protocol': 'sasl_ssl',
      'sasl.mechanisms': 'SCRAM-SHA-512',
      'sasl.username': 'alice',
      'sasl.password': ' s3cret ',
      'ssl.ca.location': CA,
    };
    assert.deepEqual(kafkaSecurity(config), security);
    // The one builder feeds every client: the tools' address and the sink's consumer.
    assert.deepEqual(clientSettings(kafkaAddress(config)), { 'bootstrap.servers': '127.0.0.1:9092', ...security });
    const consumer = consumerConfig(consumerOptions({ security: kafkaSecurity(config) }));
    for (const [name, value] of Object.entries(security)) assert.equal(consumer[name], value);
  });

  it('map SSL with a client certificate (mTLS)', () => {
    const config = load(
      'kafka.security.protocol=SSL',
      `kafka.ssl.ca.location=${CA}`,
      `kafka.ssl.certificate.location=${CERT}`,
      `kafka.ssl.key.location=${KEY}`,
    );
    assert.deepEqual(kafkaSecurity(config), {
      'security.protocol': 'ssl',
      'ssl.ca.location': CA,
      'ssl.certificate.location': CERT,
      'ssl.key.location': KEY,
    });
  });

  it('refuse settings that contradict each other, in one line', () => {
    refused(
      /kafka\.sasl\.username = "" .* is empty, but SASL_SSL needs it/,
      'kafka.security.protocol=SASL_SSL',
      'kafka.sasl.password=x',
    );
    refused(
      /kafka\.sasl\.password = <hidden> .* is set, but kafka\.security\.protocol=PLAINTEXT does not use SASL/,
      'kafka.sasl.password=x',
    );
    refused(
      /kafka\.ssl\.ca\.location = .* is set, but kafka\.security\.protocol=SASL_PLAINTEXT does not use TLS/,
      'kafka.security.protocol=SASL_PLAINTEXT',
      'kafka.sasl.username=u',
      'kafka.sasl.password=p',
      `kafka.ssl.ca.location=${CA}`,
    );
    refused(
      /kafka\.ssl\.certificate\.location = .* is set without its pair/,
      'kafka.security.protocol=SSL',
      `kafka.ssl.certificate.location=${CERT}`,
    );
    refused(
      /kafka\.ssl\.ca\.location = .* names no file/,
      'kafka.security.protocol=SSL',
      `kafka.ssl.ca.location=${dir}/none.pem`,
    );
    refused(
      /kafka\.sasl\.mechanism = "GSSAPI" .* is not an allowed value; set one of plain, scram-sha-256, scram-sha-512/,
      'kafka.sasl.mechanism=GSSAPI',
    );
    refused(
      /kafka\.consumer\.sasl\.password = <hidden> .* set kafka\.sasl\.password instead/,
      'kafka.consumer.sasl.password=x',
    );
  });

  it('turn librdkafka login and TLS failures into config errors, and leave outages alone', () => {
    const login = kafkaSecurityFailure(new Error('authentication failure'), 'b:1');
    assert.ok(isSinkError(login, 'CONFIG_INVALID'));
    assert.match(
      login.message,
      /^Kafka at b:1 refused the login \(authentication failure\); check kafka\.sasl\.username/,
    );
    const tls = kafkaSecurityFailure(new Error('ssl error'), 'b:1');
    assert.ok(isSinkError(tls, 'CONFIG_INVALID'));
    assert.match(tls.message, /^TLS to Kafka at b:1 failed \(ssl error\): the broker's certificate is not trusted/);
    assert.equal(kafkaSecurityFailure(new Error('broker transport failure'), 'b:1'), undefined);
  });
});

describe('schema registry security settings', () => {
  it('take basic auth from USER_INFO or the URL, and a CA for https', async () => {
    const { registryOptions } = await import('../../../src/avro/registry-options.ts');
    const userInfo = load(
      'kafka.schema.registry.url=https://reg:8443/apis/ccompat/v7',
      'kafka.schema.registry.basic.auth.credentials.source=USER_INFO',
      'kafka.schema.registry.basic.auth.user.info=alice:pa:ss',
      `kafka.schema.registry.ssl.ca.location=${CA}`,
    );
    const options = registryOptions(userInfo);
    assert.deepEqual(options.basicAuth, { username: 'alice', password: 'pa:ss' });
    assert.equal(typeof options.fetch, 'function', 'a fetch trusting the CA');
    assert.equal(registryOptions(load('kafka.schema.registry.url=https://bob:pw@reg/x')).basicAuth, undefined);
  });

  it('refuse contradicting settings in one line, never showing the user info', () => {
    refused(
      /basic\.auth\.user\.info = <hidden> .* is not user:password/,
      'kafka.schema.registry.basic.auth.credentials.source=USER_INFO',
      'kafka.schema.registry.basic.auth.user.info=secretonly',
    );
    refused(
      /basic\.auth\.user\.info = <hidden> .* is set, but .*credentials\.source is URL/,
      'kafka.schema.registry.basic.auth.user.info=a:b',
    );
    refused(
      /credentials\.source = "USER_INFO" .*registry\.url carries credentials too/,
      'kafka.schema.registry.url=https://a:b@reg/x',
      'kafka.schema.registry.basic.auth.credentials.source=USER_INFO',
      'kafka.schema.registry.basic.auth.user.info=a:b',
    );
    refused(
      /ssl\.ca\.location = .* is set, but kafka\.schema\.registry\.url is not https/,
      `kafka.schema.registry.ssl.ca.location=${CA}`,
    );
  });
});
