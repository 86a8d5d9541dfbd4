import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  createUserIfAbsent,
  exactDatabase,
  grantAllOnDatabases,
  selectUserHosts,
} from '../../../src/mysql/admin-sql.ts';
import { selectDatabaseExists, selectServerVersion, selectTableExists } from '../../../src/mysql/catalog-sql.ts';
import { dropDatabase, dropTable } from '../../../src/mysql/ddl.ts';
import { assertFrozen } from './sql-assertions.ts';

describe('account administration', () => {
  it('binds user, host and password', () => {
    const create = createUserIfAbsent('consumer', '%', "p'w");
    assert.equal(create.sql, 'CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?');
    assert.deepEqual(create.parameters, ['consumer', '%', "p'w"]);
    assertFrozen(create);
    assert.deepEqual(selectUserHosts('consumer').parameters, ['consumer']);
  });

  it('grants on a database pattern; exactDatabase escapes the wildcards of one name', () => {
    assert.equal(
      grantAllOnDatabases('kms\\_%', 'consumer', 'localhost').sql,
      'GRANT ALL PRIVILEGES ON `kms\\_%`.* TO ?@?',
    );
    assert.equal(exactDatabase('kms_test_1'), 'kms\\_test\\_1');
    assert.equal(exactDatabase('a%b\\c'), 'a\\%b\\\\c');
    assert.equal(
      grantAllOnDatabases(exactDatabase('my`db'), 'u', 'h').sql,
      'GRANT ALL PRIVILEGES ON `my``db`.* TO ?@?',
    );
  });
});

describe('catalog questions and drops', () => {
  it('binds the names it asks about', () => {
    assert.deepEqual(selectTableExists("t'").parameters, ["t'"]);
    assert.match(selectTableExists('t').sql, /information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE\(\)/);
    assert.deepEqual(selectDatabaseExists('bank').parameters, ['bank']);
    assert.equal(selectServerVersion().sql, 'SELECT VERSION() AS version');
  });

  it('quotes what it drops', () => {
    assert.equal(dropTable('a`b').sql, 'DROP TABLE IF EXISTS `a``b`');
    assert.equal(dropDatabase('kms_test_x').sql, 'DROP DATABASE IF EXISTS `kms_test_x`');
  });
});
