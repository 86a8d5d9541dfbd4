/**
 * How secrets look and how text hides them. Declared secret keys are hidden whole; these rules cover
 * credentials that hide inside other values: URLs with user-info or `password=` parameters, and
 * pass-through properties whose names say they are credentials.
 */

/** What a secret reads as in the redacted config. */
export const REDACTED = '***';

/** Property names whose values are credentials (librdkafka's sasl.password, ssl.key.password, ...). */
export function isSecretName(name: string): boolean {
  return /password|passwd|pwd|secret|credential|token|private\.key|\.pem$|oauthbearer\.config/i.test(name);
}

/**
 * Hides credentials in a URL-like string: the password of the user-info (from the first `:` after `//` to
 * the last `@`) and query parameters with a credential's name (`password=`, `token=`, ...).
 * `wellFormed`: the URL parsed, so its user-info ends inside the authority (before the first `/`, `?`, `#`)
 * and the result, `***` in place of each credential, parses the same way. Otherwise the text may be
 * malformed (an unencoded `@` or `/` inside a password), so everything up to the last `@` goes.
 */
export function redactUrl(url: string, { wellFormed = false } = {}): string {
  let out = url;
  const slashes = out.indexOf('//');
  if (slashes >= 0) {
    const authorityEnd = wellFormed ? firstOf(out, /[/?#\\]/, slashes + 2) : out.length;
    const at = out.lastIndexOf('@', authorityEnd - 1);
    const colon = out.indexOf(':', slashes + 2);
    if (at > slashes && colon >= 0 && colon < at) out = `${out.slice(0, colon + 1)}${REDACTED}${out.slice(at)}`;
  }
  return out.replace(/([?&;])([^=&;#]*)=([^&;#]*)/g, (match: string, separator: string, name: string) =>
    isSecretName(name) ? `${separator}${name}=${REDACTED}` : match,
  );
}

function firstOf(text: string, pattern: RegExp, from: number): number {
  const found = text.slice(from).search(pattern);
  return found < 0 ? text.length : from + found;
}
