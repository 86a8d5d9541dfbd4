import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseJdbcUrl } from '../../../src/config/jdbc-url.ts';
import { loadConfig, type LoadConfigOptions } from '../../../src/config/load-config.ts';
import { isSinkError } from '../../../src/core/errors.ts';
import { placeholderPems } from '../../fixtures/pem-files.ts';

const { dir, CA, CERT, KEY } = placeholderPems('-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');

const load = (text: string, options: LoadConfigOptions = {}) =>
  loadConfig({ env: {}, file: 'sink.properties', text, ...options });

function loadError(text: string, pattern: RegExp, options: LoadConfigOptions = {}): string {
  let message = '';
  assert.throws(
    () => load(text, options),
    (error: unknown) => {
      assert.ok(isSinkError(error, 'CONFIG_INVALID'), `expected CONFIG_INVALID, got ${String(error)}`);
      message = error.message;
      assert.match(message, pattern);
      assert.doesNotMatch(message, /[\r\n]/);
      return true;
    },
  );
  return message;
}

describe('mysql.url TLS parameters', () => {
  const modeOf = (query: string) => parseJdbcUrl(`jdbc:mysql://db:3306/bank?${query}`).sslMode;

  it('maps sslMode in MySQL Connector/J and MariaDB Connector/J spelling, any case', () => {
    const spellings: Record<string, string> = {
      disabled: 'sslMode=DISABLED sslMode=disable',
      preferred: 'sslMode=PREFERRED',
      required: 'sslMode=REQUIRED sslMode=trust',
      verify_ca: 'sslMode=VERIFY_CA sslMode=verify-ca',
      verify_identity: 'sslmode=verify_identity sslMode=verify-full',
    };
    for (const [mode, queries] of Object.entries(spellings))
      for (const query of queries.split(' ')) assert.equal(modeOf(query), mode, query);
    assert.equal(modeOf(''), undefined);
  });

  it('translates useSSL / requireSSL / verifyServerCertificate the way Connector/J 8 does', () => {
    assert.equal(modeOf('useSSL=false'), 'disabled');
    assert.equal(modeOf('useSSL=true'), 'preferred');
    assert.equal(modeOf('useSSL=true&requireSSL=true'), 'required');
    assert.equal(modeOf('requireSSL=true'), 'required');
    assert.equal(modeOf('useSSL=true&requireSSL=true&verifyServerCertificate=false'), 'required');
    assert.equal(modeOf('useSSL=true&verifyServerCertificate=true'), 'verify_ca');
    assert.equal(modeOf('useSsl=TRUE&requireSSL=false'), 'preferred');
  });

  it('accepts parameters whose effect the sink always has, with that value only', () => {
    assert.equal(modeOf('serverTimezone=UTC&characterEncoding=UTF-8&useUnicode=true'), undefined);
    assert.throws(
      () => modeOf('serverTimezone=Europe/Paris'),
      /serverTimezone=Europe\/Paris, but the sink always uses UTC/,
    );
  });

  const refused: [string, RegExp][] = [
    ['autoReconnect=true', /has query parameter "autoReconnect", which the sink does not implement; remove it/],
    ['useSSL=maybe', /useSSL=maybe, which is not true or false/],
    ['sslMode=STRICT', /sslMode=STRICT, which is not a TLS mode; set sslMode to one of disabled, preferred/],
    ['sslMode=REQUIRED&useSSL=true', /has both sslMode and useSSL; give sslMode alone/],
    ['useSSL=false&requireSSL=true', /useSSL=false together with requireSSL/],
    [
      'trustCertificateKeyStoreUrl=file:/x.jks',
      /"trustCertificateKeyStoreUrl".*mysql\.ssl\.ca, mysql\.ssl\.cert and mysql\.ssl\.key/,
    ],
    ['serverSslCert=/x.pem', /"serverSslCert".*PEM files in mysql\.ssl\.ca/],
    ['useSSL=true&usessl=false', /gives query parameter "usessl" twice; keep one/],
    ['sslMode=REQUIRED&sslMode=DISABLED', /gives query parameter "sslMode" twice; keep one/],
    ['autoReconnect=true&autoReconnect=true', /gives query parameter "autoReconnect" twice; keep one/],
  ];
  for (const [query, pattern] of refused) {
    it(`refuses ${query} in one line naming it (config error)`, () => {
      loadError(`mysql.url=jdbc:mysql://app:S3cret@db:3306/bank?${query}`, pattern);
      const message = loadError(`mysql.url=jdbc:mysql://app:S3cret@db:3306/bank?${query}`, /^config key mysql\.url = /);
      assert.ok(!message.includes('S3cret'), message);
    });
  }
});

describe('mysql.ssl.* keys', () => {
  it('defaults to preferred, no files', () => {
    assert.deepEqual(load('').mysql.ssl, { mode: 'preferred' });
  });

  it('takes the mode from the URL unless mysql.ssl.mode is set; both set must agree', () => {
    assert.deepEqual(load('mysql.url=jdbc:mysql://db/bank?sslMode=REQUIRED').mysql.ssl, { mode: 'required' });
    assert.deepEqual(
      load('mysql.url=jdbc:mysql://db/bank?useSSL=true&requireSSL=true\nmysql.ssl.mode=required').mysql.ssl,
      {
        mode: 'required',
      },
    );
    loadError(
      'mysql.url=jdbc:mysql://db/bank?useSSL=false\nmysql.ssl.mode=verify_ca',
      /^config key mysql\.ssl\.mode = "verify_ca" \(from sink\.properties:2\) contradicts the TLS parameters of mysql\.url \(which mean disabled\)/,
    );
  });

  it('means verify_ca when only a CA file is given, and keeps absolute paths', () => {
    assert.deepEqual(load(`mysql.ssl.ca=${CA}`).mysql.ssl, { mode: 'verify_ca', ca: CA });
    const config = load(
      `mysql.ssl.mode=VERIFY_IDENTITY\nmysql.ssl.ca=${CA}\nmysql.ssl.cert=${CERT}\nmysql.ssl.key=${KEY}`,
    );
    assert.deepEqual(config.mysql.ssl, { mode: 'verify_identity', ca: CA, cert: CERT, key: KEY });
  });

  it('can come from the environment and --set', () => {
    const config = load('', {
      env: { KMS_MYSQL_SSL_MODE: 'required' },
      overrides: [`mysql.ssl.cert=${CERT}`, `mysql.ssl.key=${KEY}`],
    });
    assert.deepEqual(config.mysql.ssl, { mode: 'required', cert: CERT, key: KEY });
  });

  it('refuses a missing file, a folder, and an unknown mode in one line', () => {
    loadError(
      `mysql.ssl.ca=${join(dir, 'nope.pem')}`,
      /^config key mysql\.ssl\.ca = ".*nope\.pem" \(from sink\.properties:1\) names no file; set the path of an existing PEM file/,
    );
    loadError(`mysql.ssl.cert=${dir}\nmysql.ssl.key=${KEY}`, /mysql\.ssl\.cert = .* names a folder, not a file/);
    loadError(
      'mysql.ssl.mode=on',
      /mysql\.ssl\.mode = "on" .* is not an allowed value; set one of disabled, preferred, required, verify_ca, verify_identity/,
    );
  });

  it('refuses combinations that would leave a given file unused', () => {
    loadError(`mysql.ssl.mode=disabled\nmysql.ssl.ca=${CA}`, /mysql\.ssl\.ca = .* is set, but TLS is disabled/);
    loadError(
      `mysql.ssl.mode=required\nmysql.ssl.ca=${CA}`,
      /mysql\.ssl\.ca = .* is set, but the TLS mode required does not check the server's certificate; set mysql\.ssl\.mode=verify_ca/,
    );
    loadError(
      `mysql.ssl.cert=${CERT}`,
      /mysql\.ssl\.cert = .* is set without its pair; set both mysql\.ssl\.cert and mysql\.ssl\.key/,
    );
    loadError(`mysql.ssl.key=${KEY}`, /mysql\.ssl\.key = .* is set without its pair/);
  });
});
