import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SinkError } from '../../../src/core/errors.ts';
import * as classify from '../../../src/mysql/errno.ts';

describe('driver error classification', () => {
  it('transient: lock waits, deadlocks, lost or refused connections, server restarts', () => {
    for (const errno of [1205, 1213, 2006, 2013, 1053])
      assert.equal(classify.isTransientDbError({ errno }), true, String(errno));
    for (const code of ['PROTOCOL_CONNECTION_LOST', 'ECONNREFUSED', 'ECONNRESET'])
      assert.equal(classify.isTransientDbError({ code }), true, code);
    assert.equal(classify.isTransientDbError({ fatal: true }), true);
    assert.equal(classify.isTransientDbError({ errno: 1064 }), false);
    assert.equal(classify.isTransientDbError(undefined), false);
    assert.equal(classify.isTransientDbError(null), false);
  });

  it("data errors isolate one row; an unknown column is the model's fault, not the row's", () => {
    for (const errno of [1048, 1264, 1265, 1292, 1364, 1366, 1406, 1690, 3140, 3819, 4025])
      assert.equal(classify.isDataError({ errno }), true, String(errno));
    assert.equal(classify.isDataError({ errno: 1213 }), false);
    assert.equal(classify.isDataError({ errno: 1054 }), false);
    assert.equal(classify.isDataError({ code: 'ER_DATA_TOO_LONG' }), false);
  });

  it('access: wrong credentials, no right on the database, no such database', () => {
    assert.equal(classify.isWrongCredentials({ errno: 1045 }), true);
    assert.equal(classify.isDatabaseAccessDenied({ errno: 1044 }), true);
    assert.equal(classify.isUnknownDatabase({ errno: 1049 }), true);
    for (const errno of [1044, 1045, 1049]) assert.equal(classify.isAccessDenied({ errno }), true, String(errno));
    assert.equal(classify.isAccessDenied({ errno: 1213 }), false);
    assert.equal(classify.isWrongCredentials({ errno: 1044 }), false);
  });

  it('schema races and missing tables', () => {
    assert.equal(classify.isDuplicateColumn({ errno: 1060 }), true);
    assert.equal(classify.isDuplicateColumn({ errno: 1061 }), false);
    assert.equal(classify.isNoSuchTable({ errno: 1146 }), true);
    assert.equal(classify.isNoSuchTable(new Error('no errno')), false);
  });

  it('names the code when no server answered at the address', () => {
    for (const code of ['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'PROTOCOL_CONNECTION_LOST'])
      assert.equal(classify.unreachableCode({ code }), code);
    assert.equal(classify.unreachableCode({ code: 'ER_PARSE_ERROR', errno: 1064 }), undefined);
    assert.equal(classify.unreachableCode({ errno: 2003 }), undefined);
  });

  it('retriable: a SinkError by its own flag, a driver error when transient', () => {
    assert.equal(classify.isRetriable(new SinkError('REGISTRY_UNAVAILABLE', 'down', { retriable: true })), true);
    assert.equal(classify.isRetriable(new SinkError('DB_FATAL', 'no', { retriable: false })), false);
    // A SinkError's flag wins even when its shape looks like a driver error.
    assert.equal(classify.isRetriable(Object.assign(new SinkError('DB_FATAL', 'x'), { errno: 1213 })), false);
    assert.equal(classify.isRetriable({ errno: 1213 }), true);
    assert.equal(classify.isRetriable({ errno: 1064 }), false);
  });
});
