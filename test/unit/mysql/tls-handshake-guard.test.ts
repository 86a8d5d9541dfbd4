import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLateHandshakeReset } from '../../../src/mysql/tls-handshake-guard.ts';

function reset(message: string, code = 'ECONNRESET'): Error {
  return Object.assign(new Error(message), { code });
}

test('only the late TLS handshake reset is recognised; any other error still ends the process', () => {
  assert.equal(
    isLateHandshakeReset(reset('Client network socket disconnected before secure TLS connection was established')),
    true,
  );
  assert.equal(isLateHandshakeReset(reset('read ECONNRESET')), false, 'a reset of an established connection');
  assert.equal(
    isLateHandshakeReset(
      reset('Client network socket disconnected before secure TLS connection was established', 'EPIPE'),
    ),
    false,
  );
  assert.equal(isLateHandshakeReset(new TypeError('x is not a function')), false);
  assert.equal(isLateHandshakeReset('ECONNRESET'), false);
});
