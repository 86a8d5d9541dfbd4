import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync, openSync, closeSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SinkError } from '../../src/core/errors.ts';
import type { StackOptions } from './stack-options.ts';

const run = promisify(execFile);
/** A download that hangs (no answer from the repository) fails instead of holding the caller forever. */
const MAVEN_TIMEOUT_MS = 20 * 60_000;

/**
 * The broker's jars and the registry's archive come from Maven Central through Maven itself, so its local
 * repository (~/.m2) is the download cache: a second checkout on the same machine unpacks without network.
 * Each result folder gets a `.complete` marker last, so an interrupted download is redone, not half-used.
 */
export async function ensureKafkaLibs(options: StackOptions): Promise<string> {
  const target = join(options.dir, 'dist', `kafka-${options.kafkaVersion}`);
  if (existsSync(join(target, '.complete'))) return target;
  const log = logFor(options, 'download-kafka');
  rmSync(target, { recursive: true, force: true });
  await maven(options, 'kafka', log, [
    '-f',
    join(options.root, 'kit', 'stack', 'kafka', 'pom.xml'),
    `-Dkafka.version=${options.kafkaVersion}`,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${target}`,
  ]);
  writeFileSync(join(target, '.complete'), '');
  return target;
}

/** Returns the runnable jar of the unpacked Apicurio Registry. */
export async function ensureRegistryApp(options: StackOptions): Promise<string> {
  const target = join(options.dir, 'dist', `apicurio-${options.registryVersion}`);
  if (!existsSync(join(target, '.complete'))) {
    const log = logFor(options, 'download-registry');
    const staging = `${target}.download`;
    rmSync(staging, { recursive: true, force: true });
    rmSync(target, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    await maven(options, 'registry', log, [
      'dependency:copy',
      `-Dartifact=io.apicurio:apicurio-registry-app:${options.registryVersion}:tar.gz:all`,
      `-DoutputDirectory=${staging}`,
    ]);
    const archive = readdirSync(staging).find((name) => name.endsWith('.tar.gz'));
    if (archive === undefined) throw downloadFailed('registry', log);
    await run('tar', ['xzf', join(staging, archive), '-C', staging]);
    rmSync(join(staging, archive));
    renameSync(staging, target);
    writeFileSync(join(target, '.complete'), '');
  }
  return registryJar(target);
}

function registryJar(folder: string): string {
  // 3.0.x ships a legacy runner jar; later 3.x lines ship the fast-jar layout.
  const runner = readdirSync(folder).find((name) => name.endsWith('-runner.jar'));
  if (runner !== undefined) return join(folder, runner);
  const fastJar = join(folder, 'quarkus-run.jar');
  if (existsSync(fastJar)) return fastJar;
  throw new SinkError('STACK_FAILED', `registry: no runnable jar found in ${folder}`);
}

/**
 * Runs Maven in the stack folder, its output into `log`. A failure becomes ONE line naming the service and
 * the log file (also used by kit/connect for the Connect worker and its plugins).
 */
export async function maven(options: StackOptions, service: string, log: string, args: string[]): Promise<void> {
  const out = openSync(log, 'w');
  closeSync(out);
  try {
    const { stdout, stderr } = await run(
      'mvn',
      ['-B', '-q', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', ...args],
      { cwd: options.dir, maxBuffer: 64 * 1024 * 1024, timeout: MAVEN_TIMEOUT_MS },
    );
    writeFileSync(log, stdout + stderr);
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; code?: string; killed?: boolean };
    writeFileSync(log, `${failure.stdout ?? ''}${failure.stderr ?? ''}`);
    if (failure.killed === true) {
      throw new SinkError(
        'STACK_FAILED',
        `${service}: download from Maven Central timed out after ${MAVEN_TIMEOUT_MS / 60_000} min; log: ${log}`,
      );
    }
    if (failure.code === 'ENOENT') {
      throw new SinkError('STACK_FAILED', `${service}: download failed: Maven (mvn) is not installed; log: ${log}`);
    }
    throw downloadFailed(service, log);
  }
}

export function downloadFailed(service: string, log: string): SinkError {
  return new SinkError('STACK_FAILED', `${service}: download from Maven Central failed; log: ${log}`);
}

/** `<stack>/logs/<name>.log`, its folder created. */
export function logFor(options: StackOptions, name: string): string {
  const dir = join(options.dir, 'logs');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.log`);
}
