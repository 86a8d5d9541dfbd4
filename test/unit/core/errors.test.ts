import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SinkError, describeError } from '../../../src/core/errors.ts';

describe('describeError', () => {
  it("gives an Error's message, SinkError included", () => {
    assert.equal(describeError(new Error('boom')), 'boom');
    assert.equal(describeError(new SinkError('CONFIG_INVALID', 'bad key')), 'bad key');
  });

  it('gives the message of a plain error object, as native clients reject with', () => {
    assert.equal(describeError({ message: 'Local: Erroneous state', code: -172 }), 'Local: Erroneous state');
  });

  it('falls back to the code, then the JSON, of an object without a message', () => {
    assert.equal(describeError({ code: -172 }), 'error code -172');
    assert.equal(describeError({ message: '', code: 'ECONNRESET' }), 'error code ECONNRESET');
    assert.equal(describeError({ reason: 'x' }), '{"reason":"x"}');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    assert.equal(describeError(circular), '[object Object]');
  });

  it('stringifies anything else', () => {
    assert.equal(describeError('plain text'), 'plain text');
    assert.equal(describeError(42), '42');
    assert.equal(describeError(null), 'null');
    assert.equal(describeError(undefined), 'undefined');
  });
});
