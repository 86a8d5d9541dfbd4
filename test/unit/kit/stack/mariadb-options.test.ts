import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mariadbPaths, serverConfig } from '../../../../kit/stack/mariadb-server.ts';
import { stackOptions } from '../../../../kit/stack/stack-options.ts';

const ROOT = '/project';

describe('stack options: which MariaDB the stack uses', () => {
  it("defaults to the stack's own server on 127.0.0.1:3307, administered as root without a password", () => {
    const options = stackOptions(ROOT, {}, {});
    assert.equal(options.mariadb, 'own');
    assert.equal(options.mariadbPort, 3307);
    assert.deepEqual(options.mysql, { host: '127.0.0.1', port: 3307, adminUser: 'root', adminPassword: '' });
  });

  it('KMS_MARIADB_PORT moves the own server; the KMS_MYSQL_ADMIN_* settings do not apply to it', () => {
    const options = stackOptions(ROOT, {}, { KMS_MARIADB_PORT: '3407', KMS_MYSQL_ADMIN_PORT: '3306' });
    assert.deepEqual(options.mysql, { host: '127.0.0.1', port: 3407, adminUser: 'root', adminPassword: '' });
  });

  it('KMS_MARIADB=external: the server and admin account from KMS_MYSQL_ADMIN_*, default the machine server', () => {
    assert.deepEqual(stackOptions(ROOT, {}, { KMS_MARIADB: 'external' }).mysql, {
      host: '127.0.0.1',
      port: 3306,
      adminUser: 'root',
      adminPassword: '',
    });
    const options = stackOptions(
      ROOT,
      {},
      {
        KMS_MARIADB: 'external',
        KMS_MYSQL_ADMIN_HOST: '127.0.0.2',
        KMS_MYSQL_ADMIN_PORT: '3310',
        KMS_MYSQL_ADMIN_USER: 'dba',
        KMS_MYSQL_ADMIN_PASSWORD: 'pw',
      },
    );
    assert.equal(options.mariadb, 'external');
    assert.deepEqual(options.mysql, { host: '127.0.0.2', port: 3310, adminUser: 'dba', adminPassword: 'pw' });
  });

  it('an unknown KMS_MARIADB is a usage error naming the variable and both choices', () => {
    assert.throws(
      () => stackOptions(ROOT, {}, { KMS_MARIADB: 'machine' }),
      (error: Error & { code?: string }) =>
        error.code === 'USAGE' && /^KMS_MARIADB must be "own" .* or "external" .*got "machine"$/.test(error.message),
    );
  });
});

describe("the own server's configuration file", () => {
  const options = stackOptions(ROOT, { dir: '/project/.stack', mariadbPort: 3407 }, {});
  const paths = mariadbPaths(options);

  it('keeps everything under the stack folder, listens on loopback only, on the chosen port', () => {
    const text = serverConfig(options, paths, false);
    const settings = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    assert.deepEqual(settings, [
      '[mysqld]',
      'datadir=/project/.stack/mariadb/data',
      'port=3407',
      'bind-address=127.0.0.1',
      'socket=/project/.stack/mariadb/mysqld.sock',
      'pid-file=/project/.stack/mariadb/mariadb.pid',
      'log-error=/project/.stack/mariadb/mariadb.log',
      'skip-name-resolve',
      'character-set-server=utf8mb4',
      'collation-server=utf8mb4_general_ci',
      'innodb_buffer_pool_size=128M',
      'innodb_flush_log_at_trx_commit=1',
      'ssl_ca=/project/.stack/tls/ca.pem',
      'ssl_cert=/project/.stack/tls/server.pem',
      'ssl_key=/project/.stack/tls/server-key.pem',
    ]);
  });

  it('runs as root only when started by root (mariadbd refuses root unless told)', () => {
    assert.match(serverConfig(options, paths, true), /^\[mysqld\]\nuser=root\n/m);
    assert.doesNotMatch(serverConfig(options, paths, false), /^user=/m);
  });

  it('moves the socket to the temp folder when the stack folder is too deep for a unix socket path', () => {
    const deep = stackOptions(ROOT, { dir: `/${'d'.repeat(120)}`, mariadbPort: 3407 }, {});
    assert.match(mariadbPaths(deep).socket, /\/kms-mariadb-3407\.sock$/);
  });
});
