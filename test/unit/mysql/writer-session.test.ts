import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writerSessionSetup } from '../../../src/mysql/pool.ts';

test("a frozen owner's transaction ends about when the group moves its partitions: timeouts follow the session timeout", () => {
  assert.equal(writerSessionSetup(10_000).mariadb, 'SET SESSION idle_transaction_timeout = 10');
  assert.match(writerSessionSetup(10_000).common, /innodb_lock_wait_timeout = 5$/);
  assert.equal(writerSessionSetup(45_500).mariadb, 'SET SESSION idle_transaction_timeout = 46');
  assert.match(writerSessionSetup(45_500).common, /innodb_lock_wait_timeout = 10$/);
  // Never so short that a busy but live writer loses its transaction between two statements.
  assert.equal(writerSessionSetup(1_000).mariadb, 'SET SESSION idle_transaction_timeout = 5');
  assert.match(
    writerSessionSetup(1_000).common,
    /^SET SESSION sql_mode = 'STRICT_ALL_TABLES,.*innodb_lock_wait_timeout = 1$/,
  );
});
