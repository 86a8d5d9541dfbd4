import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { isSinkError } from '../../../../src/core/errors.ts';
import { defaultSchemaFile, readSchemaFile, schemasFor } from '../../../../kit/tools/schema-file.ts';
import { stringLimit } from '../../../../kit/tools/produce.ts';
import { nameList, positiveNumber, wholeNumber } from '../../../../src/app/flag-parsers.ts';

let dir = '';

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function usageError(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isSinkError(error, 'USAGE'), `expected USAGE, got ${String(error)}`);
    assert.ok(!error.message.includes('\n'), 'one line');
    for (const part of parts) assert.ok(error.message.includes(part), `"${part}" not in: ${error.message}`);
    return true;
  });
}

const record = (fields: unknown[]): object => ({ type: 'record', name: 'r', fields });

describe('schema file', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kms-schemas-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the shipped seed file', () => {
    const seed = readSchemaFile(defaultSchemaFile());
    assert.deepEqual([...seed.topics.keys()], ['dataset1', 'dataset2', 'dataset3']);
    const [first] = schemasFor(seed, ['dataset2']);
    assert.equal(first!.topic, 'dataset2');
    assert.equal(first!.type.typeName, 'record');
  });

  it('answers a missing, unreadable or malformed file with one line naming it', () => {
    usageError(() => readSchemaFile(join(dir, 'nope.json')), 'nope.json', 'does not exist', '--schemas');
    usageError(() => readSchemaFile(file('bad.json', '{ not json')), 'bad.json', 'is not JSON');
    usageError(() => readSchemaFile(file('empty.json', { topics: {} })), 'has no "topics" object');
    usageError(
      () => readSchemaFile(file('list.json', { topics: { t: [] } })),
      'topic "t" is not an Avro record schema object',
    );
  });

  it('names the topic and the field of an invalid schema', () => {
    const path = file('invalid.json', {
      topics: {
        good: record([{ name: 'a', type: 'string' }]),
        orders: record([
          { name: 'id', type: 'string' },
          { name: 'amount', type: 'dobule' },
        ]),
        untyped: record([{ name: 'id', type: 'string' }, { name: 'note' }]),
        notrecord: { type: 'enum', name: 'E', symbols: ['A'] },
        defaults: record([{ name: 'n', type: 'int', default: 'x' }]),
      },
    });
    const parsed = readSchemaFile(path);
    usageError(() => schemasFor(parsed, ['good', 'orders']), 'topic "orders"', 'field "amount"', 'dobule');
    usageError(() => schemasFor(parsed, ['untyped']), 'topic "untyped"', 'field "note"', 'has no "type"');
    usageError(() => schemasFor(parsed, ['notrecord']), 'topic "notrecord"', 'is not an Avro record');
    usageError(() => schemasFor(parsed, ['defaults']), 'field "n"', 'default');
  });

  it('lists what the file has when a configured topic is missing', () => {
    const parsed = readSchemaFile(file('one.json', { topics: { only: record([{ name: 'a', type: 'string' }]) } }));
    usageError(
      () => schemasFor(parsed, ['only', 'other']),
      'no schema for topic "other"',
      '(it has "only")',
      'kafka.topics',
    );
  });
});

describe('tool flags', () => {
  it('parses whole numbers, positive numbers and name lists', () => {
    assert.equal(wholeNumber(0)('1_000_000'), 1_000_000);
    assert.equal(wholeNumber(0)('1e3'), 1000);
    assert.throws(() => wholeNumber(1)('0'), InvalidArgumentError);
    assert.throws(() => wholeNumber(0)('1.5'), InvalidArgumentError);
    assert.throws(() => wholeNumber(0)(''), InvalidArgumentError);
    assert.equal(positiveNumber('2.5'), 2.5);
    assert.throws(() => positiveNumber('0'), InvalidArgumentError);
    assert.deepEqual(nameList(' a, b ,,c'), ['a', 'b', 'c']);
    assert.throws(() => nameList(' , '), InvalidArgumentError);
  });

  it('derives the longest generated string from sink.string.type', () => {
    assert.equal(stringLimit('VARCHAR(40)'), 40);
    assert.equal(stringLimit('CHAR(10)'), 10);
    assert.equal(stringLimit('LONGTEXT'), 255);
  });
});
