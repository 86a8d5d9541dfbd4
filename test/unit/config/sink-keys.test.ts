/** The sink's key declaration: every key and secret, whatever is added later, follows the same rules. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envAliasesFor, envVarFor } from '../../../src/config/env-names.ts';
import { CONFIG_KEYS, KEY_PREFIXES } from '../../../src/config/key-table.ts';
import { loadConfig, redactConfig, type LoadConfigOptions } from '../../../src/config/load-config.ts';

const SENTINEL = 'Zq8-sentinel-secret';
const load = (options: LoadConfigOptions) => loadConfig({ env: {}, ...options });

describe('sink keys: the declaration', () => {
  it('names every key once, no key inside a prefix family, one env var each', () => {
    const names = CONFIG_KEYS.map((k) => k.key);
    assert.equal(new Set(names).size, names.length);
    for (const { prefix } of KEY_PREFIXES)
      assert.deepEqual(
        names.filter((name) => name.startsWith(prefix)),
        [],
      );
    const envNames = CONFIG_KEYS.flatMap((k) => [envVarFor(k.key), ...envAliasesFor(k.key)]);
    assert.equal(new Set(envNames).size, envNames.length);
  });

  it('documents every key in one line', () => {
    for (const { key, description } of CONFIG_KEYS) assert.match(description, /^[^\n]{10,200}$/, key);
  });

  it('declares the passwords and the registry user info the secrets, and kafka.consumer.* credentials by name', () => {
    assert.deepEqual(
      CONFIG_KEYS.filter((k) => k.secret).map((k) => k.key),
      ['mysql.password', 'kafka.sasl.password', 'kafka.schema.registry.basic.auth.user.info'],
    );
    const consumer = KEY_PREFIXES.find((p) => p.prefix === 'kafka.consumer.');
    assert.ok(consumer?.secretNames('sasl.password'));
    assert.ok(!consumer?.secretNames('auto.offset.reset'));
  });
});

/** Keys a secret is only valid with (a SASL password needs a SASL protocol and a user). */
const COMPANIONS: Readonly<Record<string, readonly string[]>> = {
  'kafka.sasl.password': ['kafka.security.protocol=SASL_SSL', 'kafka.sasl.username=user'],
  'kafka.schema.registry.basic.auth.user.info': ['kafka.schema.registry.basic.auth.credentials.source=USER_INFO'],
};
/** The secret's value: the sentinel, in the shape the key needs. */
const secretValue = (key: string): string => (key.endsWith('.user.info') ? `user:${SENTINEL}` : SENTINEL);

describe('sink keys: every declared secret is redacted wherever it comes from', () => {
  for (const { key } of CONFIG_KEYS.filter((k) => k.secret)) {
    const companions = COMPANIONS[key] ?? [];
    const sources: readonly [string, LoadConfigOptions][] = [
      ['the file', { file: 'sink.properties', text: `${key}=${secretValue(key)}`, overrides: companions }],
      ['the environment', { env: { [envVarFor(key)]: secretValue(key) }, overrides: companions }],
      ['--set', { overrides: [...companions, `${key}=${secretValue(key)}`] }],
    ];
    for (const [source, options] of sources) {
      it(`${key} from ${source}`, () => {
        const config = load(options);
        assert.ok(JSON.stringify(config).includes(SENTINEL), 'the config itself holds it');
        assert.ok(!JSON.stringify(redactConfig(config)).includes(SENTINEL), 'the redacted copy does not');
        // Next to a problem elsewhere, the secret is still not shown.
        assert.throws(
          () => load({ ...options, overrides: [...(options.overrides ?? []), 'max.poll.records=x'] }),
          (error: Error) => !error.message.includes(SENTINEL),
        );
      });
    }
  }

  for (const prefix of KEY_PREFIXES.filter((p) => p.secretNames('sasl.password'))) {
    it(`${prefix.prefix}<credential> from the file and --set`, () => {
      const config = load({
        file: 'sink.properties',
        text: `${prefix.prefix}ssl.keystore.password=${SENTINEL}`,
        overrides: [`${prefix.prefix}ssl.key.password=${SENTINEL}`],
      });
      assert.ok(JSON.stringify(config).includes(SENTINEL));
      assert.ok(!JSON.stringify(redactConfig(config)).includes(SENTINEL));
    });
  }

  it('keeps a database URL that parses intact in the redacted copy, even with @ in its query', () => {
    const config = load({
      overrides: [`mysql.url=jdbc:mysql://db:3307/bank?user=ops@example.com&password=${SENTINEL}`],
    });
    assert.equal(config.mysql.user, 'ops@example.com');
    assert.equal(config.mysql.password, SENTINEL);
    assert.equal(config.mysql.url, 'jdbc:mysql://db:3307/bank?user=ops@example.com&password=***');
    const redacted = redactConfig(config);
    assert.deepEqual(
      [redacted.mysql.host, redacted.mysql.port, redacted.mysql.user, redacted.mysql.password, redacted.mysql.url],
      ['db', 3307, 'ops@example.com', '***', config.mysql.url],
    );
  });
});
