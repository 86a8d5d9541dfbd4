/**
 * The loader on a small declaration shaped like the keys coming next (Kafka SASL, registry basic auth,
 * per-field column types): each key is declared once, and being declared `secret` is all it takes for its
 * value to be hidden in every message and `***` in the redacted copy, also in values derived from it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as z from 'zod';
import { httpUrl } from '../../../src/config/address-types.ts';
import { configLoader } from '../../../src/config/config-loader.ts';
import { key, ownSection, prefixed } from '../../../src/config/declare-keys.ts';
import { stringColumnType } from '../../../src/config/name-types.ts';
import { type ValueType, anyText, oneOf, text, wholeNumber } from '../../../src/config/value-types.ts';

const SECTION = ownSection('Upcoming');
const PASSWORD = 'S3cr3t-sasl';
const REGISTRY_PASSWORD = 'r3g-pw';

/** A key of the test section; `secret` ones are hidden in messages and redacted. */
function declare<T>(name: string, type: ValueType<T>, defaultValue: string, doc: string, secret = false) {
  return key(name, type, { section: SECTION, default: defaultValue, doc, ...(secret ? { secret } : {}) });
}

const kafka = z.object({
  securityProtocol: declare(
    'kafka.security.protocol',
    oneOf(['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl']),
    'plaintext',
    'how to talk to the brokers',
  ),
  saslUsername: declare('kafka.sasl.username', anyText, '', 'SASL user'),
  saslPassword: declare('kafka.sasl.password', anyText, '', 'SASL password', true),
});
const registry = z.object({
  url: declare('registry.url', httpUrl, 'http://127.0.0.1:8081', 'registry'),
  user: declare('registry.basic.auth.user', text, 'sink', 'registry user'),
  password: declare('registry.basic.auth.password', text, 'changeme', 'registry password', true),
});
const sink = z.object({
  columnTypes: prefixed('sink.column.type.', stringColumnType, {
    section: SECTION,
    doc: 'column type of one record field',
    example: { name: 'comment', value: 'TEXT' },
    names: { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, what: 'a record field', placeholder: 'field' },
  }),
  healthGraceMs: declare('health.grace.ms', wholeNumber(0, 600_000), '30000', 'grace'),
});
const KEYS = z.object({ kafka, registry, sink });

const upcoming = configLoader({
  keys: KEYS,
  sections: [SECTION],
  check: (values, { problem }) =>
    values.kafka.securityProtocol.startsWith('sasl') && values.kafka.saslPassword === ''
      ? [problem(kafka.shape.saslPassword, 'is empty while SASL is on', 'set the SASL password')]
      : [],
  derive: (values) => ({
    ...values,
    registry: {
      url: values.registry.url,
      authorization: `Basic ${Buffer.from(`${values.registry.user}:${values.registry.password}`).toString('base64')}`,
    },
  }),
});

const load = (overrides: string[], env: Record<string, string> = {}) => upcoming.load({ env, overrides });

function problemOf(overrides: string[], env: Record<string, string> = {}): string {
  try {
    load(overrides, env);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return assert.fail('expected a config problem');
}

describe('configLoader: keys declared once', () => {
  it('infers the loaded type from the declaration, derived values included', () => {
    const config = load(['kafka.security.protocol=SASL_SSL', `kafka.sasl.password=${PASSWORD}`]);
    const protocol: 'plaintext' | 'ssl' | 'sasl_plaintext' | 'sasl_ssl' = config.kafka.securityProtocol;
    const grace: number = config.sink.healthGraceMs;
    const authorization: string = config.registry.authorization;
    assert.deepEqual([protocol, grace, authorization], ['sasl_ssl', 30000, 'Basic c2luazpjaGFuZ2VtZQ==']);
    assert.equal(config.kafka.saslPassword, PASSWORD);
  });

  it('reads every key from the environment, the secret too, verbatim', () => {
    const config = load([], { KMS_KAFKA_SASL_PASSWORD: ` ${PASSWORD} `, KMS_HEALTH_GRACE_MS: ' 5000 ' });
    assert.equal(config.kafka.saslPassword, ` ${PASSWORD} `);
    assert.equal(config.sink.healthGraceMs, 5000);
  });

  it('gives a prefix family typed values, checked like any key', () => {
    const config = load(['sink.column.type.note= longtext', 'sink.column.type.code=char(3)']);
    assert.deepEqual(config.sink.columnTypes, { note: 'LONGTEXT', code: 'CHAR(3)' });
    assert.equal(
      problemOf(['sink.column.type.amount=DECIMAL(10,2)']),
      'config key sink.column.type.amount = "DECIMAL(10,2)" (from --set) is not a supported string column type; set VARCHAR(n) with n from 1 to 16383, CHAR(n) with n from 1 to 255, TINYTEXT, TEXT, MEDIUMTEXT or LONGTEXT',
    );
    assert.equal(
      problemOf(['sink.column.type.2nd=TEXT']),
      'config key sink.column.type.2nd (from --set) does not name a record field; write sink.column.type.<field>, e.g. sink.column.type.comment=TEXT',
    );
  });

  it('suggests declared keys for typos and never shows the typo value', () => {
    const message = problemOf([`kafka.sasl.pasword=${PASSWORD}`]);
    assert.equal(message, 'unknown config key "kafka.sasl.pasword" (from --set); did you mean "kafka.sasl.password"?');
  });
});

describe('configLoader: a key declared secret is hidden everywhere', () => {
  it('shows <hidden> in its own problems', () => {
    assert.equal(
      problemOf(['registry.basic.auth.password=']),
      'config key registry.basic.auth.password = <hidden> (from --set) is empty; set a value (default: changeme)',
    );
  });

  it('shows <hidden> in problems other keys cause', () => {
    assert.equal(
      problemOf(['kafka.security.protocol=sasl_plaintext']),
      'config key kafka.sasl.password = <hidden> (from default) is empty while SASL is on; set the SASL password',
    );
  });

  it('reads *** in the redacted copy, in values derived from it too', () => {
    const config = load([
      'kafka.security.protocol=sasl_ssl',
      `kafka.sasl.password=${PASSWORD}`,
      `registry.basic.auth.password=${REGISTRY_PASSWORD}`,
      `registry.url=https://reg-user:${REGISTRY_PASSWORD}@reg:8443/apis`,
    ]);
    const redacted = upcoming.redact(config);
    assert.equal(redacted.kafka.saslPassword, '***');
    assert.equal(redacted.registry.url, 'https://reg-user:***@reg:8443/apis');
    assert.equal(redacted.registry.authorization, `Basic ${Buffer.from('sink:***').toString('base64')}`);
    const json = JSON.stringify(redacted);
    const encoded = Buffer.from(`sink:${REGISTRY_PASSWORD}`).toString('base64');
    for (const secret of [PASSWORD, REGISTRY_PASSWORD, encoded]) assert.ok(!json.includes(secret), `${secret} leaked`);
    assert.equal(config.registry.authorization, `Basic ${encoded}`, 'the config itself keeps the secrets');
  });

  it('refuses to redact a copy it did not load (it could not know which fields are secret)', () => {
    const config = load([]);
    assert.throws(() => upcoming.redact({ ...config }), /takes a config returned by loadConfig/);
  });
});

describe('configLoader: mistakes in a declaration fail when it is made', () => {
  it('a secret whose kind would reject the *** of the redacted copy', () => {
    assert.throws(
      () => key('registry.pin', wholeNumber(0, 9999), { section: SECTION, default: '0', doc: 'pin', secret: true }),
      /config key registry\.pin is secret, so its value kind must accept "\*\*\*"/,
    );
  });

  it('a key in a section the example file does not list', () => {
    const stray = z.object({ x: key('x.y', text, { section: ownSection('Elsewhere'), default: 'a', doc: 'x' }) });
    assert.throws(
      () => configLoader({ keys: stray, sections: [SECTION], derive: (v) => v }),
      /config key x\.y: its section "Elsewhere" is not listed/,
    );
  });

  it('a field that is neither a key nor a group', () => {
    const loose = z.object({ x: z.string() });
    assert.throws(
      () => configLoader({ keys: loose, sections: [SECTION], derive: (v) => v }),
      /config field x is neither/,
    );
  });
});
