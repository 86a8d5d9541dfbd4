import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A byte-for-byte TCP relay on a loopback port in front of a real server (here MariaDB), able to take
 * the server "away": `outage()` cuts every relayed connection mid-stream and refuses new ones until it
 * ends, which is what clients see while a database server restarts or fails over. Nothing is parsed
 * or answered by the relay itself.
 */
export class TcpProxy {
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  readonly #clients = new Set<Socket>();
  #server: Server | undefined;
  #port = 0;
  cutConnections = 0;

  constructor(targetHost: string, targetPort: number) {
    this.#target = { host: targetHost, port: targetPort };
  }

  get port(): number {
    return this.#port;
  }

  async start(port = 0): Promise<void> {
    const server = createServer((client) => {
      const upstream = createConnection(this.#target);
      this.#clients.add(client);
      client.on('close', () => this.#clients.delete(client));
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.#port = (server.address() as { port: number }).port;
  }

  /** Cuts every connection and refuses new ones (connection refused) for `ms`, then relays again. */
  async outage(ms: number): Promise<void> {
    this.cutConnections += this.#clients.size;
    await this.#cut();
    await new Promise((resolve) => setTimeout(resolve, ms));
    await this.start(this.#port);
  }

  stop(): Promise<void> {
    return this.#cut();
  }

  /** Stops accepting first, so no connection slips in between the cut and the close. */
  async #cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    const closed =
      server === undefined ? Promise.resolve() : new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }
}
