/**
 * The stack's TLS material, made once with openssl in `<stack>/tls/`: a CA, a server certificate for
 * 127.0.0.1 and localhost (MariaDB, the broker's TLS listeners and the registry all use it), a client
 * certificate (CN=consumer, for REQUIRE X509 and Kafka mTLS) and a second, unrelated CA whose trust makes
 * every server certificate of the stack "untrusted" (the wrong-CA tests). Keys are unencrypted PKCS#8,
 * which MariaDB, Java (Kafka's PEM key stores, Quarkus) and Node all read. Test material only.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SinkError } from '../../src/core/errors.ts';
import type { StackOptions } from './stack-options.ts';

const run = promisify(execFile);

export interface StackCertificates {
  readonly dir: string;
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** Certificate then key in one file: Kafka's PEM key store format. */
  readonly serverKeyStore: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly clientKeyStore: string;
  /** A CA that signed nothing of the stack. */
  readonly otherCa: string;
}

const DAYS = '3650';

export function certificatePaths(options: Pick<StackOptions, 'dir'>): StackCertificates {
  const dir = join(options.dir, 'tls');
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server-key.pem'),
    serverKeyStore: join(dir, 'server-keystore.pem'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client-key.pem'),
    clientKeyStore: join(dir, 'client-keystore.pem'),
    otherCa: join(dir, 'other-ca.pem'),
  };
}

/** Makes the certificates unless a complete set exists (written to a scratch folder, then renamed in). */
export async function ensureCertificates(options: Pick<StackOptions, 'dir'>): Promise<StackCertificates> {
  const paths = certificatePaths(options);
  const complete = join(paths.dir, '.complete');
  if (existsSync(complete)) return paths;
  const scratch = `${paths.dir}.tmp-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    const at = (name: string): string => join(scratch, name);
    await selfSignedCa(at('ca'), 'kafka-mysql-sink stack CA');
    await selfSignedCa(at('other-ca'), 'unrelated CA');
    await signed(at('server'), at('ca'), 'localhost', [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'extendedKeyUsage=serverAuth,clientAuth',
    ]);
    await signed(at('client'), at('ca'), 'consumer', ['extendedKeyUsage=clientAuth']);
    for (const name of ['server', 'client']) {
      writeFileSync(
        at(`${name}-keystore.pem`),
        `${readFileSync(at(`${name}-key.pem`), 'utf8')}${readFileSync(at(`${name}.pem`), 'utf8')}`,
      );
    }
    rmSync(at('other-ca-key.pem'), { force: true });
    writeFileSync(at('.complete'), '');
    rmSync(paths.dir, { recursive: true, force: true });
    renameSync(scratch, paths.dir);
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    const said = ((error as { stderr?: string }).stderr ?? String(error)).trim().split('\n').pop() ?? '';
    throw new SinkError('STACK_FAILED', `tls: could not make the stack's certificates with openssl (${said})`);
  }
  return paths;
}

/**
 * `openssl req` with a new unencrypted RSA key at `<base>-key.pem`: a signing request at `out`, or with
 * `-x509` among `flags` a self-signed certificate. Flags are split on blanks; paths are passed as they are.
 */
async function newKey(base: string, out: string, subject: string, flags: string): Promise<void> {
  const files = ['-keyout', `${base}-key.pem`, '-out', out, '-subj', subject];
  await run('openssl', ['req', ...flags.split(' '), '-newkey', 'rsa:2048', '-nodes', ...files]);
}

async function selfSignedCa(base: string, name: string): Promise<void> {
  const extensions = '-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign';
  await newKey(base, `${base}.pem`, `/CN=${name}`, `-x509 -days ${DAYS} ${extensions}`);
}

async function signed(base: string, ca: string, commonName: string, extensions: readonly string[]): Promise<void> {
  await newKey(base, `${base}.csr`, `/CN=${commonName}`, '-new');
  const extFile = `${base}.ext`;
  writeFileSync(extFile, `${extensions.join('\n')}\n`);
  const serial = `0x${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`;
  const signer = ['-CA', `${ca}.pem`, '-CAkey', `${ca}-key.pem`, '-set_serial', serial, '-extfile', extFile];
  await run('openssl', ['x509', '-req', '-in', `${base}.csr`, ...signer, '-days', DAYS, '-out', `${base}.pem`]);
  rmSync(`${base}.csr`);
  rmSync(extFile);
}
