/**
 * The query parameters of a JDBC URL that the sink understands. Users paste URLs from Java applications,
 * so the TLS parameters of MySQL Connector/J (`sslMode`, and the older `useSSL` / `requireSSL` /
 * `verifyServerCertificate`) and MariaDB Connector/J (`sslMode=verify-full`, ...) map onto
 * `mysql.ssl.mode` with their drivers' meanings. Every other parameter is refused by name: a parameter
 * silently dropped (`useSSL=true` once was) lets an operator believe in a behaviour the sink does not have.
 */
import { reject } from './messages.ts';

/** MySQL's `--ssl-mode` values, in order of strength. */
export const SSL_MODES = ['disabled', 'preferred', 'required', 'verify_ca', 'verify_identity'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** `sslMode` values: MySQL Connector/J's names (any case), and MariaDB Connector/J's. */
const SSL_MODE_NAMES: Readonly<Record<string, SslMode>> = {
  disabled: 'disabled',
  preferred: 'preferred',
  required: 'required',
  verify_ca: 'verify_ca',
  verify_identity: 'verify_identity',
  disable: 'disabled',
  trust: 'required',
  'verify-ca': 'verify_ca',
  'verify-full': 'verify_identity',
};

const LEGACY_TLS = ['usessl', 'requiressl', 'verifyservercertificate'] as const;

/**
 * Parameters whose effect the sink always has, accepted with exactly that value: it uses UTC sessions
 * and utf8mb4 whatever the URL says, so any other value would be a promise it does not keep.
 */
const FIXED: Readonly<Record<string, { readonly values: RegExp; readonly means: string }>> = {
  servertimezone: { values: /^(?:utc|gmt|z|etc\/utc|\+00:00)$/i, means: 'the sink always uses UTC sessions' },
  connectiontimezone: {
    values: /^(?:utc|gmt|z|etc\/utc|\+00:00|server)$/i,
    means: 'the sink always uses UTC sessions',
  },
  characterencoding: { values: /^(?:utf-?8|utf8mb4)$/i, means: 'the sink always uses utf8mb4' },
  useunicode: { values: /^true$/i, means: 'the sink always uses utf8mb4' },
  charset: { values: /^utf8mb4$/i, means: 'the sink always uses utf8mb4' },
};

/** Names of Connector/J's key-store and certificate parameters: their meaning lives in other keys. */
const TLS_FILE_PARAMETER =
  /keystore|truststore|sslcert|sslca|sslkey|serversslcert|tlsversions|ciphersuites|trustservercertificate|fallbacktosystem/i;

/**
 * The TLS mode the parameters ask for (none when they name none); throws on any other parameter, and on
 * one given twice (in any case).
 */
export function readUrlParameters(params: Iterable<readonly [name: string, value: string]>): SslMode | undefined {
  // Connector/J property names are case-insensitive; so are ours.
  const given = new Map<string, { name: string; value: string }>();
  for (const [name, value] of params) {
    const lower = name.toLowerCase();
    if (given.has(lower)) reject(`gives query parameter "${name}" twice`, 'keep one');
    given.set(lower, { name, value });
  }
  for (const [lower, { name, value }] of given) {
    if (lower === 'sslmode' || (LEGACY_TLS as readonly string[]).includes(lower)) continue;
    const fixed = FIXED[lower];
    if (fixed !== undefined) {
      if (!fixed.values.test(value))
        reject(`has query parameter ${name}=${value}, but ${fixed.means}`, `remove ${name} from the URL`);
      continue;
    }
    if (TLS_FILE_PARAMETER.test(lower))
      reject(
        `has query parameter "${name}", which the sink does not implement`,
        'remove it and give PEM files in mysql.ssl.ca, mysql.ssl.cert and mysql.ssl.key instead',
      );
    reject(
      `has query parameter "${name}", which the sink does not implement`,
      'remove it from the URL (TLS: sslMode or mysql.ssl.mode; user and password: mysql.username, mysql.password)',
    );
  }
  return sslModeOf(given);
}

function sslModeOf(given: ReadonlyMap<string, { name: string; value: string }>): SslMode | undefined {
  const mode = given.get('sslmode');
  const legacy = LEGACY_TLS.flatMap((name) => {
    const found = given.get(name);
    return found === undefined ? [] : [found];
  });
  if (mode !== undefined) {
    if (legacy.length > 0)
      reject(`has both sslMode and ${legacy[0]?.name}`, 'give sslMode alone (it replaces the older parameters)');
    const named = SSL_MODE_NAMES[mode.value.toLowerCase()];
    if (named === undefined)
      reject(`has sslMode=${mode.value}, which is not a TLS mode`, `set sslMode to one of ${SSL_MODES.join(', ')}`);
    return named;
  }
  if (legacy.length === 0) return undefined;
  const flag = (name: (typeof LEGACY_TLS)[number]): boolean | undefined => {
    const found = given.get(name);
    if (found === undefined) return undefined;
    if (/^(?:true|yes)$/i.test(found.value)) return true;
    if (/^(?:false|no)$/i.test(found.value)) return false;
    return reject(`has ${found.name}=${found.value}, which is not true or false`, `set ${found.name}=true or false`);
  };
  const useSsl = flag('usessl');
  const requireSsl = flag('requiressl');
  const verify = flag('verifyservercertificate');
  // Connector/J 8's translation of the older parameters into sslMode.
  if (useSsl === false) {
    if (requireSsl === true || verify === true)
      reject('has useSSL=false together with requireSSL or verifyServerCertificate', 'set useSSL=true, or sslMode');
    return 'disabled';
  }
  if (verify === true) return 'verify_ca';
  if (requireSsl === true) return 'required';
  return 'preferred';
}
