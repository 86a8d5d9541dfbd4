import { type Dirent, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPortOpen } from '../../../kit/stack/process-control.ts';
import { type KmsResult, runKms } from './kms-cli.ts';
import { isAlive, waitFor } from './wait.ts';

export interface PidFile {
  readonly file: string;
  readonly pid: number;
}

/**
 * A stack of our own beside the default one: its own folder under the OS temp dir and its own ports,
 * handed to every `./kms` child through the environment. Every pid ever read from one of its pid files is
 * remembered, so `cleanUp` can stop (by those pids only) whatever a failed test left behind.
 */
export class IsolatedStack {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly #seen = new Set<number>();

  constructor(name: string, ports: { kafkaFirstPort: number; registryPort: number; mariadbPort?: number }) {
    this.dir = mkdtempSync(join(tmpdir(), `kms-${name}-`));
    this.env = {
      KMS_STACK_DIR: this.dir,
      KMS_KAFKA_FIRST_PORT: String(ports.kafkaFirstPort),
      KMS_REGISTRY_PORT: String(ports.registryPort),
      ...(ports.mariadbPort === undefined ? {} : { KMS_MARIADB_PORT: String(ports.mariadbPort) }),
    };
  }

  kms(
    args: readonly string[],
    extraEnv: NodeJS.ProcessEnv = {},
    options: { timeoutMs?: number } = {},
  ): Promise<KmsResult> {
    return runKms(args, { ...this.env, ...extraEnv }, options);
  }

  /**
   * The end of an outage test: the stopped service started again when a failed assertion left it down
   * (`up` when nothing listens on `port`: the clean-up needs it), the scenario cleaned up, this stack removed.
   */
  async restoreAndCleanUp(
    port: number,
    up: readonly string[],
    scenario: { cleanup(): Promise<unknown> },
  ): Promise<void> {
    if (!(await isPortOpen(port))) await this.kms(up, {}, { timeoutMs: 180_000 });
    await scenario.cleanup().catch(() => undefined);
    await this.cleanUp();
  }

  /** Like `kms`, but also samples the pid files while the command runs: pids that come and go are caught too. */
  async kmsWatchingPids(
    args: readonly string[],
    extraEnv: NodeJS.ProcessEnv = {},
  ): Promise<{ result: KmsResult; pids: Set<number> }> {
    const pids = new Set<number>();
    const sample = (): void => {
      for (const { pid } of this.pidFiles()) pids.add(pid);
    };
    const timer = setInterval(sample, 50);
    try {
      const result = await this.kms(args, extraEnv);
      sample();
      return { result, pids };
    } finally {
      clearInterval(timer);
    }
  }

  /** Pid files under the stack folder (kafka/kafka.pid, kafka-3x-nodeN/kafka.pid, registry/registry.pid). */
  pidFiles(): PidFile[] {
    const found: PidFile[] = [];
    const walk = (dir: string): void => {
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory() && entry.name !== 'dist' && entry.name !== 'data') walk(path);
        else if (entry.isFile() && entry.name.endsWith('.pid')) {
          const pid = readPidFile(path);
          if (pid !== undefined) found.push({ file: path, pid });
        }
      }
    };
    walk(this.dir);
    for (const { pid } of found) this.#seen.add(pid);
    return found.sort((a, b) => a.file.localeCompare(b.file));
  }

  pid(relativePidFile: string): number {
    const pid = readPidFile(join(this.dir, relativePidFile));
    if (pid === undefined) throw new Error(`no pid in ${join(this.dir, relativePidFile)}`);
    this.#seen.add(pid);
    return pid;
  }

  /**
   * Running processes whose command line mentions this stack folder (every JVM and Maven run of the stack
   * does: config, jar or output paths live there). Used only to assert that nothing was left behind.
   */
  processes(): { pid: number; command: string }[] {
    const needle = `${this.dir}/`;
    const found: { pid: number; command: string }[] = [];
    for (const name of readdirSync('/proc')) {
      const pid = Number(name);
      if (!Number.isInteger(pid) || pid === process.pid) continue;
      let command: string;
      try {
        command = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      } catch {
        continue;
      }
      if (command.includes(needle)) found.push({ pid, command: command.slice(0, 200) });
    }
    return found;
  }

  /**
   * `stack down` for this folder, then SIGKILL for any pid we ever saw in its pid files that still runs.
   * The folder (with its unpacked downloads) is removed only when nothing of ours is left.
   */
  async cleanUp(): Promise<void> {
    this.pidFiles();
    if (existsSync(this.dir)) await this.kms(['stack', 'down'], {}, { timeoutMs: 120_000 }).catch(() => undefined);
    for (const pid of this.#seen) {
      if (!isAlive(pid)) continue;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    await waitFor('stack processes to exit', () => [...this.#seen].every((pid) => !isAlive(pid)), {
      timeoutMs: 10_000,
    }).catch(() => undefined);
    const leftovers = [...this.#seen].filter(isAlive);
    if (leftovers.length > 0) throw new Error(`processes of ${this.dir} still alive: ${leftovers.join(', ')}`);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function readPidFile(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
