/**
 * A stable `group.instance.id` per sink process on a host: `<host>-<slot>`, the slot being the lowest
 * number no other live sink of the same groups on this host holds. A restart after kill -9 finds its slot
 * free again and rejoins its groups as the same static member, so the broker hands its partitions back at
 * once instead of waiting out the session timeout; a second instance started beside it takes the next
 * slot, so two live members never share an id (the broker would fence one of them).
 *
 * The slot is held by listening on a Linux abstract unix socket: the kernel frees it when the process
 * ends, however it ends, so there is no stale lock file to clean up after a kill -9.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { hostname } from 'node:os';

export const MAX_SLOTS = 64;

export interface InstanceSlot {
  readonly id: string;
  readonly slot: number;
  release(): Promise<void>;
}

/** `scope`: what the slots are unique within (the sink's consumer group ids). */
export async function claimInstanceSlot(scope: string, host = hostname()): Promise<InstanceSlot> {
  const hash = createHash('sha256').update(scope).digest('hex').slice(0, 16);
  for (let slot = 0; slot < MAX_SLOTS; slot++) {
    const server = await listen(`\0kafka-mysql-sink/${hash}/${slot}`);
    if (server === undefined) continue;
    server.unref();
    return {
      id: `${sanitize(host)}-${slot}`,
      slot,
      release: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }
  throw new Error(
    `all ${MAX_SLOTS} group instance slots of this host are taken; set kafka.group.instance.id to an id of your own`,
  );
}

/** The server when the name was free; undefined when another process holds it. */
function listen(name: string): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(undefined);
      else reject(error);
    });
    server.listen(name, () => resolve(server));
  });
}

/** Host names may hold characters group instance ids should not (Kafka takes any, tools choke on some). */
function sanitize(host: string): string {
  return host.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 180) || 'host';
}
