import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface KmsResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** Settings that point `./kms stack` somewhere else; a child must only ever see the ones the test chose. */
const STACK_ENV = [
  'KMS_STACK_DIR',
  'KMS_STACK_BROKERS',
  'KMS_KAFKA_FIRST_PORT',
  'KMS_KAFKA_VERSION',
  'KMS_REGISTRY_PORT',
  'KMS_REGISTRY_VERSION',
  'KMS_STACK_READY_TIMEOUT_MS',
  'KMS_REGISTRY_READY_TIMEOUT_MS',
  'KMS_MARIADB',
  'KMS_MARIADB_PORT',
];

/**
 * Runs `./kms <args>` as a real child process and captures its output. The child is killed (by its own pid)
 * only if it outlives `timeoutMs`, so a hung command fails the test instead of hanging the suite.
 */
export function runKms(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  { timeoutMs = 180_000 } = {},
): Promise<KmsResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of STACK_ENV) delete childEnv[name];
  Object.assign(childEnv, env);
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(join(PROJECT_ROOT, 'kms'), args, {
      cwd: PROJECT_ROOT,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, durationMs: Date.now() - started });
    });
  });
}

/** For assertion messages: everything the command said. */
export function describeRun(args: readonly string[], result: KmsResult): string {
  return (
    `kms ${args.join(' ')} → exit ${result.code}${result.signal ? ` (${result.signal})` : ''} in ${result.durationMs} ms\n` +
    `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`
  );
}

/** The one-line error contract: exactly one `kms: ...` line on stderr, no stack trace, nothing secret. */
export function oneLineError(run: KmsResult): string {
  const lines = run.stderr
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '');
  if (lines.length !== 1 || !lines[0]!.startsWith('kms: ')) {
    throw new Error(`expected one "kms: ..." line on stderr, got:\n${run.stderr}\nstdout:\n${run.stdout}`);
  }
  if (/\n\s+at /.test(run.stderr)) throw new Error(`stack trace on stderr:\n${run.stderr}`);
  return lines[0]!;
}
