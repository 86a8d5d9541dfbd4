import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deleteRows, insertRows, updateRow } from '../../../src/mysql/dml.ts';
import { assertFrozen, rejects } from './sql-assertions.ts';

const columns = ['key_field1', 'timestamp_field1', 'double_field1'] as const;

describe('insertRows', () => {
  it('builds one multi-row INSERT with parameters flattened row-major', () => {
    const query = insertRows('dataset1', columns, [
      ['k1', 1700000000000, 1.5],
      ['k2', 1700000000001, null],
    ]);
    assert.equal(
      query.sql,
      'INSERT INTO `dataset1` (`key_field1`, `timestamp_field1`, `double_field1`) VALUES (?, ?, ?), (?, ?, ?)',
    );
    assert.deepEqual(query.parameters, ['k1', 1700000000000, 1.5, 'k2', 1700000000001, null]);
    assertFrozen(query);
  });

  it('builds a single-row INSERT', () => {
    const query = insertRows('t', ['a'], [[1]]);
    assert.equal(query.sql, 'INSERT INTO `t` (`a`) VALUES (?)');
    assert.deepEqual(query.parameters, [1]);
  });

  it('passes values through untouched, hostile strings included', () => {
    const buffer = Buffer.from([0, 1, 2]);
    const date = new Date(0);
    const hostile = "'); DROP TABLE dataset1; --";
    const query = insertRows('t', ['a', 'b', 'c'], [[buffer, date, hostile]]);
    assert.equal(query.sql, 'INSERT INTO `t` (`a`, `b`, `c`) VALUES (?, ?, ?)');
    assert.equal(query.parameters[0], buffer);
    assert.equal(query.parameters[1], date);
    assert.equal(query.parameters[2], hostile);
  });

  it('quotes hostile table and column names', () => {
    const query = insertRows('x`; DROP TABLE y; --', ['a`b', '계좌', 'naïve'], [[1, 2, 3]]);
    assert.equal(query.sql, 'INSERT INTO `x``; DROP TABLE y; --` (`a``b`, `계좌`, `naïve`) VALUES (?, ?, ?)');
  });

  it('upsert updates the non-key columns from VALUES()', () => {
    const query = insertRows(
      'dataset1',
      columns,
      [
        ['k1', 1, 2.5],
        ['k2', 3, 4.5],
      ],
      'upsert',
      { keyColumns: ['key_field1'] },
    );
    assert.equal(
      query.sql,
      'INSERT INTO `dataset1` (`key_field1`, `timestamp_field1`, `double_field1`) VALUES (?, ?, ?), (?, ?, ?) ' +
        'ON DUPLICATE KEY UPDATE `timestamp_field1` = VALUES(`timestamp_field1`), `double_field1` = VALUES(`double_field1`)',
    );
    assert.deepEqual(query.parameters, ['k1', 1, 2.5, 'k2', 3, 4.5]);
    assertFrozen(query);
  });

  it('upsert without key columns updates every column', () => {
    const query = insertRows('t', ['a', 'b'], [[1, 2]], 'upsert');
    assert.equal(
      query.sql,
      'INSERT INTO `t` (`a`, `b`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `a` = VALUES(`a`), `b` = VALUES(`b`)',
    );
  });

  it('upsert whose columns are all key columns only skips the duplicate', () => {
    const query = insertRows('t', ['a', 'b'], [[1, 2]], 'upsert', { keyColumns: ['b', 'a'] });
    assert.equal(query.sql, 'INSERT INTO `t` (`a`, `b`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `a` = `a`');
  });

  it('ignore skips duplicates with a no-op assignment, not INSERT IGNORE', () => {
    const query = insertRows(
      't',
      ['a`', 'b'],
      [
        [1, 2],
        [3, 4],
      ],
      'ignore',
    );
    assert.equal(query.sql, 'INSERT INTO `t` (`a```, `b`) VALUES (?, ?), (?, ?) ON DUPLICATE KEY UPDATE `a``` = `a```');
    assert.deepEqual(query.parameters, [1, 2, 3, 4]);
  });

  it('never mixes up cached texts across table, columns, row count, mode or keys', () => {
    const row = [1, 2];
    assert.equal(insertRows('t', ['a', 'b'], [row]).sql, 'INSERT INTO `t` (`a`, `b`) VALUES (?, ?)');
    assert.equal(insertRows('u', ['a', 'b'], [row]).sql, 'INSERT INTO `u` (`a`, `b`) VALUES (?, ?)');
    assert.equal(insertRows('t', ['b', 'a'], [row]).sql, 'INSERT INTO `t` (`b`, `a`) VALUES (?, ?)');
    assert.equal(insertRows('t', ['a', 'b'], [row, row]).sql, 'INSERT INTO `t` (`a`, `b`) VALUES (?, ?), (?, ?)');
    assert.equal(
      insertRows('t', ['a', 'b'], [row], 'ignore').sql,
      'INSERT INTO `t` (`a`, `b`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `a` = `a`',
    );
    assert.equal(
      insertRows('t', ['a', 'b'], [row], 'upsert', { keyColumns: ['a'] }).sql,
      'INSERT INTO `t` (`a`, `b`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `b` = VALUES(`b`)',
    );
    assert.equal(
      insertRows('t', ['a', 'b'], [row], 'upsert', { keyColumns: ['b'] }).sql,
      'INSERT INTO `t` (`a`, `b`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `a` = VALUES(`a`)',
    );
    // Key columns do not matter for a plain insert, and a repeat call gives the same text.
    assert.equal(
      insertRows('t', ['a', 'b'], [row], 'insert', { keyColumns: ['a'] }).sql,
      'INSERT INTO `t` (`a`, `b`) VALUES (?, ?)',
    );
    assert.equal(insertRows('t', ['a', 'b'], [[5, 6]]).sql, 'INSERT INTO `t` (`a`, `b`) VALUES (?, ?)');
  });

  it('stays correct after the cache has evicted entries', () => {
    for (let count = 1; count <= 300; count++) insertRows('evict', ['a'], new Array(count).fill([0]));
    const query = insertRows('evict', ['a'], [[7], [8], [9]]);
    assert.equal(query.sql, 'INSERT INTO `evict` (`a`) VALUES (?), (?), (?)');
    assert.deepEqual(query.parameters, [7, 8, 9]);
  });

  it('does not let the caller mutate the parameters afterwards', () => {
    const rows = [[1, 2]];
    const query = insertRows('t', ['a', 'b'], rows);
    (rows[0] as number[])[0] = 99;
    assert.deepEqual(query.parameters, [1, 2]);
  });

  it('rejects shape mistakes with SCHEMA_INVALID', () => {
    rejects(() => insertRows('t', ['a'], []), 'SCHEMA_INVALID', 'INSERT into "t" has no rows');
    rejects(() => insertRows('t', [], [[]]), 'SCHEMA_INVALID', 'has no columns');
    rejects(() => insertRows('t', ['a', 'b'], [[1, 2], [3]]), 'SCHEMA_INVALID', 'row 1 has 1 values for 2 columns');
    rejects(() => insertRows('t', ['a', 'b'], [[1, 2, 3]]), 'SCHEMA_INVALID', 'row 0 has 3 values for 2 columns');
    rejects(() => insertRows('t', ['a', 'A'], [[1, 2]]), 'SCHEMA_INVALID', 'names column "A" twice');
    rejects(
      () => insertRows('t', ['a'], [[1]], 'upsert', { keyColumns: ['id'] }),
      'SCHEMA_INVALID',
      'key column "id" is not among the inserted columns',
    );
  });

  it('rejects invalid identifiers', () => {
    rejects(() => insertRows('', ['a'], [[1]]), 'IDENTIFIER_INVALID', 'it is empty');
    rejects(() => insertRows('t', ['a\u0000b'], [[1]]), 'IDENTIFIER_INVALID', 'NUL');
    rejects(() => insertRows('t', ['💥'], [[1]]), 'IDENTIFIER_INVALID', 'Basic Multilingual Plane');
  });
});

describe('deleteRows', () => {
  it('deletes by one key column with IN', () => {
    const query = deleteRows('accounts', ['id'], [[1], [2], [3]]);
    assert.equal(query.sql, 'DELETE FROM `accounts` WHERE `id` IN (?, ?, ?)');
    assert.deepEqual(query.parameters, [1, 2, 3]);
    assertFrozen(query);
  });

  it('deletes by a compound key with an OR of equalities', () => {
    const query = deleteRows(
      't',
      ['a', 'b`c'],
      [
        ['x', 1],
        ['y', 2],
      ],
    );
    assert.equal(query.sql, 'DELETE FROM `t` WHERE (`a` = ? AND `b``c` = ?) OR (`a` = ? AND `b``c` = ?)');
    assert.deepEqual(query.parameters, ['x', 1, 'y', 2]);
  });

  it('refuses no keys, no key columns, or a key of the wrong width', () => {
    rejects(() => deleteRows('t', ['a'], []), 'SCHEMA_INVALID', 'has no keys');
    rejects(() => deleteRows('t', [], [[1]]), 'SCHEMA_INVALID', 'has no key columns');
    rejects(() => deleteRows('t', ['a', 'b'], [[1]]), 'SCHEMA_INVALID', 'key 0 has 1 values for 2 columns');
  });
});

describe('updateRow', () => {
  it('sets the non-key columns and finds the row by its key', () => {
    const query = updateRow('t', ['id', 'name', 'region', 'amount'], ['region', 'id'], [7, 'n', 'eu', 1.5]);
    assert.equal(query.sql, 'UPDATE `t` SET `name` = ?, `amount` = ? WHERE `region` = ? AND `id` = ?');
    assert.deepEqual(query.parameters, ['n', 1.5, 'eu', 7]);
    assertFrozen(query);
  });

  it('a table of key columns only still reports whether the row exists', () => {
    const query = updateRow('t', ['id'], ['id'], [7]);
    assert.equal(query.sql, 'UPDATE `t` SET `id` = `id` WHERE `id` = ?');
    assert.deepEqual(query.parameters, [7]);
  });

  it('refuses a key column that is not a column, no key, or the wrong number of values', () => {
    rejects(() => updateRow('t', ['a'], ['b'], [1]), 'SCHEMA_INVALID', 'key column "b" is not among the columns');
    rejects(() => updateRow('t', ['a'], [], [1]), 'SCHEMA_INVALID', 'has no key columns');
    rejects(() => updateRow('t', ['a', 'b'], ['a'], [1]), 'SCHEMA_INVALID', '1 values for 2 columns');
  });
});
