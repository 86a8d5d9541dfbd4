/**
 * The `mariadb` connector (3.5.4, the latest) drops every listener of its TLS socket when the server
 * closes the connection during the TLS handshake (its fatal-error path calls `removeAllListeners()` from
 * the socket's 'end' handler), while Node has already scheduled that socket's "disconnected before secure
 * TLS connection was established" error: with no listener left, the error would end the process. It
 * happens when a database restart or a network cut lands on a connection the bulk pool is opening
 * (`sink-db-failures.test.ts`, "the database away for seconds"). The connector has already failed that
 * connection and its pool opens another, so the late error carries nothing to act on: it is logged and
 * dropped. Any other uncaught error still ends the process as Node would, with its stack and exit code 1.
 */
let installed = false;

export function isLateHandshakeReset(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error as NodeJS.ErrnoException).code === 'ECONNRESET' &&
    error.message.includes('before secure TLS connection was established')
  );
}

export function guardTlsHandshakeResets(log: (message: string) => void): void {
  if (installed) return;
  installed = true;
  process.on('uncaughtException', (error) => {
    if (isLateHandshakeReset(error)) {
      log(`database connection closed during its TLS handshake (${error.message}); the pool opens another`);
      return;
    }
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
