import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isSinkError } from '../../../src/core/errors.ts';
import { offersTls, tlsConnectionOptions, tlsFailure } from '../../../src/mysql/tls.ts';

const dir = mkdtempSync(join(tmpdir(), 'kms-tls-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const CA = join(dir, 'ca.pem');
writeFileSync(CA, 'CA PEM');

/** A protocol-10 greeting as a server sends it: header, version, thread id, scramble, filler, flags. */
function greeting(flags: number): Buffer {
  const payload = Buffer.concat([
    Buffer.from([10]),
    Buffer.from('10.11.19-MariaDB\0'),
    Buffer.alloc(4),
    Buffer.alloc(8, 1),
    Buffer.alloc(1),
    Buffer.from([flags & 0xff, flags >> 8]),
    Buffer.alloc(20),
  ]);
  const header = Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, 0, 0]);
  return Buffer.concat([header, payload]);
}

describe('mysql TLS options', () => {
  it('maps each mode onto mysql2 ssl options', () => {
    assert.deepEqual(tlsConnectionOptions({ mode: 'disabled' }), {});
    assert.deepEqual(tlsConnectionOptions({ mode: 'required' }), {
      ssl: { rejectUnauthorized: false, verifyIdentity: false },
    });
    assert.deepEqual(tlsConnectionOptions({ mode: 'verify_ca', ca: CA }), {
      ssl: { ca: 'CA PEM', rejectUnauthorized: true, verifyIdentity: false },
    });
    const identity = tlsConnectionOptions({ mode: 'verify_identity', ca: CA, cert: CA, key: CA });
    assert.deepEqual(identity.ssl, {
      ca: 'CA PEM',
      cert: 'CA PEM',
      key: 'CA PEM',
      rejectUnauthorized: true,
      verifyIdentity: true,
    });
    assert.equal(typeof identity.stream, 'function', 'verify_identity names the host on its socket');
    const preferred = tlsConnectionOptions({ mode: 'preferred' });
    assert.deepEqual(preferred.ssl, { rejectUnauthorized: false, verifyIdentity: false });
    assert.equal(typeof preferred.stream, 'function', 'preferred decides per server greeting');
  });

  it('reads the TLS offer from the server greeting', () => {
    assert.equal(offersTls(greeting(0xffff)), true);
    assert.equal(offersTls(greeting(0xf7ff)), false);
    assert.equal(offersTls(Buffer.from([5, 0, 0, 0, 0xff, 0x10, 0x04])), undefined, 'an error packet');
    assert.equal(offersTls(Buffer.alloc(3)), undefined);
  });

  it('turns TLS handshake failures into one config line, and leaves other errors alone', () => {
    const failure = (message: string, code: string) =>
      tlsFailure(Object.assign(new Error(message), { code }), 'db:3306');
    const configError = (error: unknown, pattern: RegExp): void => {
      assert.ok(isSinkError(error, 'CONFIG_INVALID'));
      assert.match(error.message, pattern);
    };
    configError(
      failure('Server does not support secure connection', 'HANDSHAKE_NO_SSL_SUPPORT'),
      /^mysql: the database server db:3306 offers no TLS, but mysql\.ssl\.mode .* requires it/,
    );
    configError(
      failure('self-signed certificate in certificate chain', 'HANDSHAKE_SSL_ERROR'),
      /the certificate of the database server db:3306 is not trusted \(self-signed certificate in certificate chain\); set mysql\.ssl\.ca/,
    );
    assert.equal(failure('x', 'ECONNREFUSED'), undefined);
  });
});
