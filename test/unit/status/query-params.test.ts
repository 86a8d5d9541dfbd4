import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequest, Query } from '../../../src/status/query-params.ts';

const query = (text: string, allowed: string[]) => new Query(new URLSearchParams(text), allowed);

test('whole numbers within bounds, absent parameters undefined', () => {
  const q = query('partition=3&count=50', ['partition', 'count', 'topic']);
  assert.equal(q.integer('partition', 0, 10), 3);
  assert.equal(q.integer('count', 1, 50), 50);
  assert.equal(q.text('topic'), undefined);
  assert.equal(q.oneOf('topic', ['a']), undefined);
});

test('every malformed parameter is one line naming it and the fix', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => query('x=1', ['a', 'b']), /unknown query parameter "x"; this endpoint takes a, b/],
    [() => query('x=1', []), /takes none/],
    [() => query('a=', ['a']).text('a'), /"a" is empty/],
    [() => query('a=1&a=2', ['a']).text('a'), /"a" is given 2 times/],
    [() => query('a=-1', ['a']).integer('a', 0, 9), /"a" must be a whole number, got "-1"/],
    [() => query('a=1.5', ['a']).integer('a', 0, 9), /whole number/],
    [() => query('a=1e3', ['a']).integer('a', 0, 9), /whole number/],
    [() => query('a=99999999999999999999', ['a']).integer('a', 0, 9), /whole number/],
    [() => query('a=10', ['a']).integer('a', 0, 9), /between 0 and 9, got 10/],
    [() => query('a=z', ['a']).oneOf('a', ['x', 'y']), /one of x, y, got "z"/],
  ];
  for (const [run, message] of cases) {
    assert.throws(
      run,
      (error: unknown) => error instanceof BadRequest && message.test(error.message) && !error.message.includes('\n'),
    );
  }
});
