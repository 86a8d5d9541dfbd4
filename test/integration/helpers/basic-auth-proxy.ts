import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:https';

/**
 * An HTTPS front for the real schema registry that demands HTTP basic auth, as a registry behind an
 * authenticating gateway does (the stack's Apicurio serves HTTPS itself but has no local user store).
 * Requests with the right credentials are relayed unchanged to the registry's plain HTTP port; others
 * get 401. It counts both, so a test can tell the client really sent them.
 */
export class BasicAuthProxy {
  readonly #expected: string;
  readonly #target: URL;
  readonly #tls: { cert: string; key: string };
  #server: Server | undefined;
  #port = 0;
  authorized = 0;
  refused = 0;

  constructor(target: string, user: string, password: string, tls: { cert: string; key: string }) {
    this.#target = new URL(target);
    this.#expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    this.#tls = { cert: readFileSync(tls.cert, 'utf8'), key: readFileSync(tls.key, 'utf8') };
  }

  /** The registry API base URL through the proxy (same path as the target's). */
  url(userInfo = ''): string {
    return `https://${userInfo}127.0.0.1:${this.#port}${this.#target.pathname.replace(/\/+$/, '')}`;
  }

  async start(): Promise<void> {
    const server = createServer(this.#tls, (req, res) => {
      if (req.headers.authorization !== this.#expected) {
        this.refused++;
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="registry"', 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error_code: 401, message: 'Unauthorized' }));
        return;
      }
      this.authorized++;
      const { authorization: _dropped, ...headers } = req.headers;
      const upstream = request(
        { host: this.#target.hostname, port: this.#target.port, path: req.url, method: req.method, headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    this.#port = typeof address === 'object' && address ? address.port : 0;
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
