/**
 * HTTPS to the schema registry with a CA of the operator's (`kafka.schema.registry.ssl.ca.location`):
 * Node's global fetch only trusts its bundled CAs, so a fetch-shaped function over node:https carries
 * the CA instead. It answers like fetch: a Response, or a TypeError('fetch failed') whose cause is the
 * socket or TLS error, so the registry client words both the same way.
 */
import { request } from 'node:https';

/** Statuses whose Response must have no body (the Response constructor refuses one). */
const NO_BODY = new Set([101, 204, 205, 304]);

export function fetchTrusting(ca: string): typeof fetch {
  const fetchWithCa = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> =>
    new Promise((resolve, reject) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      const req = request(
        url,
        {
          method: init.method ?? 'GET',
          headers: (init.headers ?? {}) as Record<string, string>,
          ca,
          ...(init.signal ? { signal: init.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) => reject(failed(error)));
          res.on('end', () => {
            const status = res.statusCode ?? 500;
            const headers = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (typeof value === 'string') headers.set(name, value);
            }
            resolve(new Response(NO_BODY.has(status) ? null : Buffer.concat(chunks), { status, headers }));
          });
        },
      );
      req.on('error', (error) => reject(error.name === 'AbortError' ? error : failed(error)));
      if (typeof init.body === 'string') req.write(init.body);
      req.end();
    });
  return fetchWithCa as typeof fetch;
}

function failed(cause: Error): TypeError {
  return new TypeError('fetch failed', { cause });
}

/** TLS verification failures (Node's and undici's codes): the CA or the URL's host is wrong, not the network. */
export function tlsRefusal(error: unknown): string | undefined {
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (code === undefined) return undefined;
  if (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|ERR_SSL|ERR_TLS/.test(code))
    return `${code}${typeof cause?.message === 'string' ? ` (${cause.message})` : ''}`;
  return undefined;
}
