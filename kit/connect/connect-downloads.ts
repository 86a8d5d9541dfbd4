/**
 * The Connect worker's jars and its plugins, from Maven Central through Maven (so ~/.m2 is the download
 * cache, as for the broker in kit/stack/downloads.ts), unpacked under `<stack>/connect/`. Each result is
 * gathered into a staging folder and renamed into place with a `.complete` marker, so an interrupted
 * download is redone, never half-used.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { SinkError, describeError } from '../../src/core/errors.ts';
import { logFor, maven } from '../stack/downloads.ts';
import type { StackOptions } from '../stack/stack-options.ts';
import { connectCacheDir } from './connect-options.ts';
import { type PluginSpec, pluginPom, serviceManifestFiles, workerProvidedArtifacts } from './plugins.ts';

const run = promisify(execFile);

/** Folder of the worker's jars (its classpath is `<folder>/*`). */
export async function ensureWorkerLibs(stack: StackOptions, version: string): Promise<string> {
  const target = join(connectCacheDir(stack), `worker-${version}`);
  if (isComplete(target)) return target;
  const service = `connect: worker ${version}`;
  const log = logFor(stack, `download-connect-worker-${version}`);
  await gather(target, async (staging) => {
    await maven(stack, service, log, [
      '-f',
      join(stack.root, 'kit', 'connect', 'worker', 'pom.xml'),
      `-Dconnect.version=${version}`,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${staging}`,
    ]);
    if (!readdirSync(staging).some((name) => name.startsWith(`connect-runtime-${version}`)))
      throw new SinkError('STACK_FAILED', `${service}: Maven gathered no connect-runtime jar; log: ${log}`);
  });
  return target;
}

/**
 * The plugin's entry for `plugin.path`: a folder holding exactly one subfolder (the plugin, with every jar
 * it needs except what the worker provides), so the worker loads it with its own class loader.
 */
export async function ensurePlugin(stack: StackOptions, spec: PluginSpec): Promise<string> {
  const target = join(connectCacheDir(stack), 'plugins', `${spec.name}-${spec.version}`);
  if (isComplete(target)) return target;
  const service = `connect: plugin ${spec.name} ${spec.version}`;
  const clash = workerProvidedArtifacts(spec);
  if (clash.length > 0)
    throw new SinkError(
      'USAGE',
      `${service}: ${clash.join(', ')} is provided by the worker; remove it from the plugin`,
    );
  const log = logFor(stack, `download-connect-plugin-${spec.name}`);
  const pomDir = join(connectCacheDir(stack), 'poms');
  mkdirSync(pomDir, { recursive: true });
  const pom = join(pomDir, `${spec.name}-${spec.version}.xml`);
  writeFileSync(pom, pluginPom(spec));
  await gather(target, async (staging) => {
    const folder = join(staging, spec.name);
    await maven(stack, service, log, [
      '-f',
      pom,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${folder}`,
    ]);
    if (!existsSync(folder) || readdirSync(folder).length === 0)
      throw new SinkError('STACK_FAILED', `${service}: Maven gathered no jars; log: ${log}`);
    await writeManifestJar(spec, staging, folder, service, log);
  });
  return target;
}

/** The plugin's missing ServiceLoader entries as `kms-service-manifests.jar` in its folder. */
async function writeManifestJar(
  spec: PluginSpec,
  staging: string,
  folder: string,
  service: string,
  log: string,
): Promise<void> {
  const files = serviceManifestFiles(spec);
  if (Object.keys(files).length === 0) return;
  const root = join(staging, 'manifests');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  try {
    await run('jar', ['cf', join(folder, 'kms-service-manifests.jar'), '-C', root, 'META-INF']);
  } catch (error) {
    writeFileSync(log, `jar: ${describeError(error)}\n`, { flag: 'a' });
    throw new SinkError(
      'STACK_FAILED',
      `${service}: could not write its ServiceLoader manifest jar (jar from the JDK); log: ${log}`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function isComplete(folder: string): boolean {
  return existsSync(join(folder, '.complete'));
}

async function gather(target: string, fill: (staging: string) => Promise<void>): Promise<void> {
  const staging = `${target}.download`;
  rmSync(staging, { recursive: true, force: true });
  rmSync(target, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await fill(staging);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  writeFileSync(join(staging, '.complete'), '');
  renameSync(staging, target);
}
