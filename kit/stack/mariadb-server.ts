import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SinkError, describeError } from '../../src/core/errors.ts';
import { ensureBootstrapPackage } from './bootstrap-install.ts';
import { dropUser, selectUserHosts } from '../../src/mysql/admin-sql.ts';
import { execute, selectRows } from '../../src/mysql/pool.ts';
import { certificatePaths, ensureCertificates } from './certificates.ts';
import { adminConnection, answersQueries } from './mysql-admin.ts';
import { type ManagedProcess, runningPid, startDetached, stopProcess } from './process-control.ts';
import { refuseForeignPort, stopUnlessReady, waitForService } from './service-process.ts';
import type { StackOptions } from './stack-options.ts';

const run = promisify(execFile);

/** Debian's mariadb-server-core package puts them here. */
export const MARIADBD = '/usr/sbin/mariadbd';
export const INSTALL_DB = '/usr/bin/mariadb-install-db';
/** Written into the data folder once `mariadb-install-db` finished: a folder without it is half made. */
const INITIALISED_MARKER = '.kms-initialised';
/** A unix socket path must fit in sockaddr_un.sun_path (108 bytes with the terminating NUL). */
const SOCKET_PATH_MAX = 107;
const STOP_GRACE_MS = 30_000;
/**
 * A server still starting up may not act on SIGTERM at all (seen: a SIGTERM in its first moments is
 * lost, and it runs on). It has served nothing yet, so it gets SIGKILL soon.
 */
const NOT_READY_GRACE_MS = 3_000;

/**
 * The second server a change data capture test reads from (row-based binlog), in its own folder of the
 * stack; `port` is whatever the test chose (stopping goes by the pid file, so any port will do).
 */
export function cdcSourceOptions(options: StackOptions, port = options.mariadbPort + 1): StackOptions {
  return {
    ...options,
    dir: join(options.dir, 'cdc-source'),
    mariadb: 'own',
    mariadbPort: port,
    mariadbBinlog: true,
    mysql: { host: '127.0.0.1', port, adminUser: 'root', adminPassword: '' },
  };
}

/** Everything of one server lives in one folder of the stack: a second stack folder is a second server. */
export interface MariaDbPaths {
  readonly dir: string;
  readonly config: string;
  readonly datadir: string;
  readonly socket: string;
  readonly pidFile: string;
  readonly logFile: string;
}

export function mariadbPaths(options: StackOptions): MariaDbPaths {
  const dir = join(options.dir, 'mariadb');
  const socket = join(dir, 'mysqld.sock');
  return {
    dir,
    config: join(dir, 'my.cnf'),
    datadir: join(dir, 'data'),
    // A stack folder deep in the tree would make the server refuse its socket; the port is unique
    // among running servers, so a name built from it is too.
    socket: socket.length <= SOCKET_PATH_MAX ? socket : join(tmpdir(), `kms-mariadb-${options.mariadbPort}.sock`),
    pidFile: join(dir, 'mariadb.pid'),
    logFile: join(dir, 'mariadb.log'),
  };
}

export function mariadbProcess(options: StackOptions): ManagedProcess {
  const { pidFile, logFile } = mariadbPaths(options);
  return { name: 'mariadb', pidFile, logFile };
}

/**
 * The server's whole configuration. `--defaults-file` makes it the only one read, so nothing of the
 * machine's /etc/mysql (port 3306, /var/lib/mysql, user mysql) applies. The memory and durability
 * settings are those of Debian's stock server, which earlier benchmarks measured: 128 MB buffer pool,
 * and InnoDB's default `innodb_flush_log_at_trx_commit = 1` (every commit reaches the disk), so a
 * benchmark pays what a production database pays per transaction and a killed server loses no
 * committed batch.
 */
export function serverConfig(options: StackOptions, paths: MariaDbPaths, runAsRoot: boolean): string {
  const tls = certificatePaths(options);
  const lines = [
    '# Written by `./kms stack up` before every start (kit/stack/mariadb-server.ts); edits here are lost.',
    '[mysqld]',
    ...(runAsRoot ? ['user=root'] : []),
    `datadir=${paths.datadir}`,
    `port=${options.mariadbPort}`,
    'bind-address=127.0.0.1',
    `socket=${paths.socket}`,
    `pid-file=${paths.pidFile}`,
    `log-error=${paths.logFile}`,
    'skip-name-resolve',
    'character-set-server=utf8mb4',
    'collation-server=utf8mb4_general_ci',
    'innodb_buffer_pool_size=128M',
    'innodb_flush_log_at_trx_commit=1',
    // TLS is offered, not imposed: accounts created REQUIRE SSL / X509 need it, the others may use it.
    `ssl_ca=${tls.ca}`,
    `ssl_cert=${tls.serverCert}`,
    `ssl_key=${tls.serverKey}`,
    ...(options.mariadbBinlog === true
      ? [
          `log-bin=${join(paths.dir, 'binlog')}`,
          'binlog_format=ROW',
          'binlog_row_image=FULL',
          `server-id=${options.mariadbPort}`,
        ]
      : []),
    '',
  ];
  return lines.join('\n');
}

/** The port the server of this stack folder was configured with (what it listens on while it runs). */
export function configuredPort(options: StackOptions): number | undefined {
  const { config } = mariadbPaths(options);
  if (!existsSync(config)) return undefined;
  const port = /^port=(\d+)$/m.exec(readFileSync(config, 'utf8'))?.[1];
  return port === undefined ? undefined : Number(port);
}

/**
 * Starts the stack's own server unless it already runs, initialising its data folder on first use, and
 * waits until it answers a query. A server this call started and that did not get ready is stopped again.
 */
export async function startMariaDbServer(options: StackOptions): Promise<void> {
  const proc = mariadbProcess(options);
  const paths = mariadbPaths(options);
  const running = runningPid(proc);
  if (running !== undefined) {
    const port = configuredPort(options);
    if (port !== undefined && port !== options.mariadbPort) {
      throw new SinkError(
        'STACK_FAILED',
        `mariadb: this stack's server already runs on port ${port}, not ${options.mariadbPort}; set KMS_MARIADB_PORT=${port} or run \`kms stack down --only mariadb\` first; log: ${proc.logFile}`,
      );
    }
    await waitReady(options, proc, running, 0);
    return;
  }
  await refuseForeignPort('mariadb: port', options.mariadbPort, 'KMS_MARIADB_PORT', proc.logFile);
  await ensureServerInstalled(options);
  mkdirSync(paths.dir, { recursive: true });
  await ensureCertificates(options);
  writeFileSync(paths.config, serverConfig(options, paths, process.getuid?.() === 0));
  const firstStart = !existsSync(join(paths.datadir, INITIALISED_MARKER));
  if (firstStart) await initialise(paths);
  const logOffset = existsSync(paths.logFile) ? statSync(paths.logFile).size : 0;
  const pid = startDetached(proc, MARIADBD, [`--defaults-file=${paths.config}`], paths.dir);
  await stopUnlessReady(proc, NOT_READY_GRACE_MS, async () => {
    await waitReady(options, proc, pid, logOffset);
    if (firstStart) await dropUnreachableRootAccounts(options);
  });
}

/** SIGTERM (a clean InnoDB shutdown takes a second or two), SIGKILL after the grace period. */
export async function stopMariaDbServer(options: StackOptions): Promise<string[]> {
  return (await stopProcess(mariadbProcess(options), STOP_GRACE_MS)) ? ['mariadb'] : [];
}

function waitReady(options: StackOptions, proc: ManagedProcess, pid: number, logOffset: number): Promise<void> {
  return waitForService(proc, {
    probe: () => answersQueries(options),
    timeoutMs: options.readyTimeoutMs,
    pid,
    intervalMs: 250,
    exited: () => {
      const reason = lastError(proc.logFile, logOffset);
      return `mariadb: exited during start-up${reason ? ` (${reason})` : ''}`;
    },
    notReady: () =>
      `mariadb: no answer to a query at 127.0.0.1:${options.mariadbPort} after ${options.readyTimeoutMs} ms`,
  });
}

/** `mariadb-install-db` once: system tables, and root without a password (the server listens on loopback only). */
async function initialise(paths: MariaDbPaths): Promise<void> {
  if (existsSync(paths.datadir) && statSync(paths.datadir).isDirectory()) {
    // No marker: an earlier initialisation of this stack's own folder was interrupted. Start it over.
    appendFileSync(paths.logFile, `kms: ${paths.datadir} was not completely initialised; initialising it again\n`);
    rmSync(paths.datadir, { recursive: true, force: true });
  }
  appendFileSync(paths.logFile, `kms: initialising ${paths.datadir} with ${INSTALL_DB}\n`);
  try {
    const { stdout, stderr } = await run(
      INSTALL_DB,
      [`--defaults-file=${paths.config}`, '--auth-root-authentication-method=normal', '--skip-test-db'],
      { cwd: paths.dir },
    );
    appendFileSync(paths.logFile, `${stdout}${stderr}`);
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string };
    const output = `${failure.stdout ?? ''}${failure.stderr ?? ''}`;
    appendFileSync(paths.logFile, output || `${describeError(error)}\n`);
    const lines = output
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    const reason = lines.findLast((line) => /error/i.test(line)) ?? lines.pop() ?? describeError(error);
    throw new SinkError(
      'STACK_FAILED',
      `mariadb: could not initialise the data folder ${paths.datadir} (${reason.slice(0, 200)}); log: ${paths.logFile}`,
    );
  }
  writeFileSync(join(paths.datadir, INITIALISED_MARKER), '');
}

/**
 * `mariadb-install-db` also creates root@<this machine's name>, which name resolution being off makes
 * unusable and which the server then warns about at every start.
 */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);

async function dropUnreachableRootAccounts(options: StackOptions): Promise<void> {
  const admin = await adminConnection(options);
  try {
    const hosts = (await selectRows(admin, selectUserHosts('root'))).map((row) => String(row.host));
    for (const host of hosts.filter((h) => !LOCAL_HOSTS.has(h))) await execute(admin, dropUser('root', host));
  } finally {
    await admin.end();
  }
}

/** The server's own reason for failing: the fatal one of the [ERROR] lines written since `offset`. */
function lastError(logFile: string, offset: number): string | undefined {
  if (!existsSync(logFile)) return undefined;
  const errors = readFileSync(logFile)
    .subarray(offset)
    .toString('utf8')
    .split('\n')
    .filter((line) => line.includes('[ERROR]'))
    .map((line) => line.replace(/^.*\[ERROR\]\s*/, '').trim())
    .filter((line) => line !== '' && line !== 'Aborting');
  return (errors.findLast((line) => /fatal/i.test(line)) ?? errors.pop())?.slice(0, 200);
}

/**
 * Debian's server binaries, installed by the same set-up that installs the Kafka client's build headers
 * (kit/stack/bootstrap.sh, under its install lock) when they are missing.
 */
function ensureServerInstalled(options: StackOptions): Promise<void> {
  return ensureBootstrapPackage(options.root, {
    step: 'kms_ensure_mariadb_server',
    installed: () => existsSync(MARIADBD) && existsSync(INSTALL_DB),
    what: "mariadb: Debian's mariadb-server-core",
    path: MARIADBD,
    fix: 'install it, or use a server of yours with KMS_MARIADB=external',
  });
}
