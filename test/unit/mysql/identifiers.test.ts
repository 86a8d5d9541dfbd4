import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSinkError } from '../../../src/core/errors.ts';
import { MAX_IDENTIFIER_LENGTH, quoteIdentifier } from '../../../src/mysql/identifiers.ts';

function rejects(fn: () => unknown, messagePart: string | RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isSinkError(error, 'IDENTIFIER_INVALID'), `expected IDENTIFIER_INVALID, got ${String(error)}`);
    assert.equal(error.retriable, false);
    if (typeof messagePart === 'string') assert.ok(error.message.includes(messagePart), error.message);
    else assert.match(error.message, messagePart);
    return true;
  });
}

describe('quoteIdentifier', () => {
  const accepted: [string, string][] = [
    ['dataset1', '`dataset1`'],
    ['a`b', '`a``b`'],
    ['`', '````'],
    ['``x``', '`````x`````'],
    ['; DROP TABLE x; --', '`; DROP TABLE x; --`'],
    ['x`; DROP TABLE users; --', '`x``; DROP TABLE users; --`'],
    ["it's", "`it's`"],
    ['say "hi"', '`say "hi"`'],
    ['back\\slash', '`back\\slash`'],
    ['with space', '`with space`'],
    [' leading', '` leading`'],
    ['orders.v1-eu_west', '`orders.v1-eu_west`'],
    ['계좌', '`계좌`'],
    ['naïve', '`naïve`'],
    ['Ünïcødé', '`Ünïcødé`'],
    ['\uFFFF', '`\uFFFF`'],
    ['line\nbreak', '`line\nbreak`'],
    ['123', '`123`'],
    ['select', '`select`'],
  ];
  for (const [name, quoted] of accepted) {
    it(`quotes ${JSON.stringify(name)}`, () => {
      assert.equal(quoteIdentifier(name), quoted);
    });
  }

  it('accepts exactly 64 characters, counting code points not bytes', () => {
    assert.equal(MAX_IDENTIFIER_LENGTH, 64);
    assert.equal(quoteIdentifier('a'.repeat(64)), `\`${'a'.repeat(64)}\``);
    assert.equal(quoteIdentifier('계'.repeat(64)), `\`${'계'.repeat(64)}\``);
    // 64 backticks double to 128 inside the quotes: the limit applies to the name, not the quoted text.
    assert.equal(quoteIdentifier('`'.repeat(64)), `\`${'`'.repeat(128)}\``);
  });

  it('rejects 65 characters', () => {
    rejects(() => quoteIdentifier('a'.repeat(65)), 'is 65 characters long; MySQL/MariaDB identifiers are at most 64');
    rejects(() => quoteIdentifier('é'.repeat(65)), 'at most 64');
  });

  it('rejects the empty string', () => {
    rejects(() => quoteIdentifier(''), 'Identifier "" is not a valid MySQL/MariaDB identifier: it is empty');
  });

  it('rejects NUL anywhere', () => {
    rejects(
      () => quoteIdentifier('a\u0000b'),
      'Identifier "a\\u0000b" is not a valid MySQL/MariaDB identifier: it contains the NUL character',
    );
    rejects(() => quoteIdentifier('\u0000'), 'NUL');
  });

  it('rejects a trailing space but not an inner one', () => {
    rejects(
      () => quoteIdentifier('name '),
      'Identifier "name " is not a valid MySQL/MariaDB identifier: it ends with a space',
    );
    rejects(() => quoteIdentifier(' '), 'ends with a space');
    assert.equal(quoteIdentifier('a b'), '`a b`');
  });

  it('rejects characters outside the BMP (emoji)', () => {
    rejects(() => quoteIdentifier('table😀'), 'outside the Basic Multilingual Plane');
    rejects(() => quoteIdentifier('𠀀'), 'outside the Basic Multilingual Plane');
    // 40 emoji are 80 UTF-16 units; the reason given is the emoji, not the length.
    rejects(() => quoteIdentifier('😀'.repeat(40)), 'outside the Basic Multilingual Plane');
  });

  it('rejects unpaired surrogates', () => {
    rejects(() => quoteIdentifier('a\uD800b'), 'unpaired UTF-16 surrogate');
    rejects(() => quoteIdentifier('\uDC00'), 'unpaired UTF-16 surrogate');
  });

  it('keeps error messages short for huge names', () => {
    assert.throws(
      () => quoteIdentifier('x'.repeat(10_000)),
      (error: unknown) => {
        assert.ok(isSinkError(error, 'IDENTIFIER_INVALID'));
        assert.ok(error.message.length < 300, error.message);
        assert.ok(error.message.includes('10000 characters long'));
        return true;
      },
    );
  });
});
