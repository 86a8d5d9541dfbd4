import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { columnChange, longerStringType } from '../../../src/mysql/column-compat.ts';
import { addColumn, defaultLiteral } from '../../../src/mysql/ddl.ts';

describe('columnChange: what a schema change means for an existing column', () => {
  it('widens for the promotions Avro allows, and never narrows', () => {
    for (const [column, wanted] of [
      ['int', 'BIGINT'],
      ['smallint', 'INT'],
      ['float', 'DOUBLE'],
      ['int', 'DOUBLE'],
    ] as const)
      assert.equal(columnChange(column, wanted), 'widen', `${column} → ${wanted}`);
    assert.equal(columnChange('bigint', 'INT'), 'none', 'an older schema writing into the wider column');
    assert.equal(columnChange('double', 'FLOAT'), 'none');
    assert.equal(columnChange('tinyint', 'BOOLEAN'), 'none');
    assert.equal(columnChange('varchar', 'TEXT'), 'none', 'string lengths are handled per value');
    assert.equal(columnChange('longtext', 'JSON'), 'none', "MariaDB's JSON is a longtext");
    assert.equal(columnChange('datetime', 'DATE'), 'none');
    assert.equal(columnChange('geometry', 'INT'), 'none', "a user's own type is left alone");
  });

  it('calls a change of kind incompatible', () => {
    assert.equal(columnChange('varchar', 'INT'), 'incompatible');
    assert.equal(columnChange('int', 'VARCHAR(255)'), 'incompatible');
    assert.equal(columnChange('double', 'DATETIME(3)'), 'incompatible');
    assert.equal(columnChange('longblob', 'VARCHAR(10)'), 'incompatible');
  });
});

describe('ADD COLUMN with the Avro default', () => {
  it('writes the default as a literal only when it cannot escape it', () => {
    assert.equal(
      addColumn('t', { name: 'region', sqlType: 'VARCHAR(255)', nullable: true }, { value: "it's" }).sql,
      "ALTER TABLE `t` ADD COLUMN `region` VARCHAR(255) NULL DEFAULT 'it''s'",
    );
    assert.equal(
      addColumn('t', { name: 'n', sqlType: 'BIGINT', nullable: true }, { value: 2n ** 63n - 1n }).sql,
      'ALTER TABLE `t` ADD COLUMN `n` BIGINT NULL DEFAULT 9223372036854775807',
    );
    assert.equal(defaultLiteral('BOOLEAN', true), 'TRUE');
    assert.equal(defaultLiteral('DOUBLE', 0.5), '0.5');
    assert.equal(defaultLiteral('DECIMAL(5,2)', '1.50'), "'1.50'");
    assert.equal(defaultLiteral('VARCHAR(9)', 'a\\b'), undefined, 'a backslash reads differently per sql_mode');
    assert.equal(defaultLiteral('VARCHAR(9)', 'a\nb'), undefined);
    assert.equal(defaultLiteral('TEXT', 'x'), undefined, 'MySQL before 8.0.13 has no literal TEXT default');
    assert.equal(defaultLiteral('TINYTEXT', 'x'), undefined);
    assert.equal(defaultLiteral('LONGBLOB', Buffer.from('x')), undefined);
    assert.equal(defaultLiteral('DOUBLE', Number.NaN), undefined);
    assert.equal(
      addColumn('t', { name: 'x', sqlType: 'INT', nullable: true }).sql,
      'ALTER TABLE `t` ADD COLUMN `x` INT NULL',
    );
  });
});

describe('longerStringType: a schema that wants a longer string column', () => {
  it('widens to the wanted type only when it holds more', () => {
    assert.equal(longerStringType('VARCHAR(2)', 'VARCHAR(3)'), 'VARCHAR(3)');
    assert.equal(longerStringType('CHAR(1)', 'VARCHAR(40)'), 'VARCHAR(40)');
    assert.equal(longerStringType('VARCHAR(255)', 'MEDIUMTEXT'), 'MEDIUMTEXT');
    assert.equal(longerStringType('VARCHAR(16383)', 'TEXT'), 'TEXT');
    assert.equal(longerStringType('VARCHAR(40)', 'VARCHAR(40)'), undefined);
    assert.equal(longerStringType('TEXT', 'VARCHAR(255)'), undefined, 'widened by a long value before: stays');
    assert.equal(longerStringType('VARCHAR(255)', 'VARCHAR(40)'), undefined);
    assert.equal(longerStringType('INT', 'VARCHAR(40)'), undefined);
    assert.equal(longerStringType('', 'VARCHAR(40)'), undefined);
  });

  it('compares TINYTEXT by characters and bytes: a shorter VARCHAR would cut its values', () => {
    assert.equal(longerStringType('VARCHAR(10)', 'TINYTEXT'), 'TINYTEXT');
    assert.equal(longerStringType('TINYTEXT', 'VARCHAR(255)'), 'VARCHAR(255)');
    assert.equal(longerStringType('TINYTEXT', 'TEXT'), 'TEXT');
    assert.equal(longerStringType('TINYTEXT', 'VARCHAR(100)'), undefined, '255 ASCII bytes are 255 characters');
    assert.equal(longerStringType('VARCHAR(100)', 'TINYTEXT'), undefined, '100 emoji are 400 bytes');
  });
});
