import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/index.ts';

test('mysql.write.protocol: bulk by default, text when asked (env too), anything else refused in one line', () => {
  assert.equal(loadConfig({ env: {} }).mysql.writeProtocol, 'bulk');
  assert.equal(loadConfig({ env: {}, overrides: ['mysql.write.protocol=text'] }).mysql.writeProtocol, 'text');
  assert.equal(loadConfig({ env: { KMS_MYSQL_WRITE_PROTOCOL: 'text' } }).mysql.writeProtocol, 'text');
  assert.throws(
    () => loadConfig({ env: {}, overrides: ['mysql.write.protocol=fast'] }),
    (error: Error & { code?: string }) =>
      error.code === 'CONFIG_INVALID' && /mysql\.write\.protocol/.test(error.message) && !error.message.includes('\n'),
  );
});
