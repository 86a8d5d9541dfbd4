import assert from 'node:assert/strict';
import { isSinkError } from '../../../src/core/errors.ts';
import { loadConfig, type LoadConfigOptions } from '../../../src/config/load-config.ts';

/** Loads with an empty environment unless one is given, so the machine's KMS_* never leak in. */
export const load = (options: LoadConfigOptions = {}) => loadConfig({ env: {}, ...options });
export const fromText = (text: string, options: LoadConfigOptions = {}) =>
  load({ file: 'sink.properties', text, ...options });

/** Asserts loading fails with a one-line, non-retriable CONFIG_INVALID that never shows the secret; returns the message. */
export function configError(options: LoadConfigOptions, pattern: RegExp, secret?: string): string {
  let message = '';
  assert.throws(
    () => load(options),
    (error: unknown) => {
      assert.ok(isSinkError(error, 'CONFIG_INVALID'), `expected CONFIG_INVALID, got ${String(error)}`);
      assert.equal(error.retriable, false);
      message = error.message;
      assert.match(message, pattern);
      assert.doesNotMatch(message, /[\r\n]/, 'one line');
      if (secret !== undefined) assert.ok(!message.includes(secret), `secret leaked: ${message}`);
      return true;
    },
  );
  return message;
}
export const textError = (text: string, pattern: RegExp, secret?: string) =>
  configError({ file: 'sink.properties', text }, pattern, secret);
