import type { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureChromium } from '../stack/chromium.ts';
import { stackDown, stackStatus, stackUp } from '../stack/stack.ts';
import { stackOptions, bootstrapServers, registryUrl } from '../stack/stack-options.ts';
import { projectRoot } from '../../src/app/project-root.ts';

/**
 * The whole suite: strict type check, then unit and integration tests against the real local stack.
 * A stack this command had to start is stopped again at the end; one already running is left as found.
 */
export function registerTestCommand(program: Command): void {
  program
    .command('test')
    .description(
      'type check, format/lint and import rules, then unit and integration tests (starts the local stack if needed)',
    )
    .option('--unit', 'unit tests only (no services needed)')
    .option(
      '--cdc',
      'only the change data capture round trip (test/cdc: a second MariaDB, Kafka Connect, Debezium; about 1 GB of memory)',
    )
    .argument('[files...]', 'test files to run instead of the whole suite')
    .action(async (files: string[], flags: { unit?: boolean; cdc?: boolean }) => {
      const root = projectRoot();
      for (const check of staticChecks(root)) run(process.execPath, check.args, root, check.name);
      // The CDC round trip runs a Java worker beside the stack: its own command, which CI runs after the suite.
      const wanted =
        files.length > 0
          ? files
          : flags.cdc
            ? testFiles(join(root, 'test', 'cdc'))
            : [
                ...testFiles(join(root, 'test', 'unit')),
                ...(flags.unit ? [] : testFiles(join(root, 'test', 'integration'))),
              ];
      const needsStack = wanted.some((file) => /(?:^|[\\/])(?:integration|cdc)[\\/]/.test(file));
      const options = stackOptions(root);
      const wasRunning = (await stackStatus(options)).filter((s) => s.state === 'running').length;
      if (needsStack) await stackUp(options, (line) => console.log(line));
      // The browser test drives Debian's chromium: the set-up installs it the first time.
      if (wanted.some((file) => file.endsWith('.browser.test.ts'))) await ensureChromium(root);
      const env = {
        ...process.env,
        KMS_BOOTSTRAP_SERVERS: bootstrapServers(options),
        KMS_REGISTRY_URL: registryUrl(options),
        KMS_MYSQL_ADMIN_HOST: options.mysql.host,
        KMS_MYSQL_ADMIN_PORT: String(options.mysql.port),
        KMS_MYSQL_ADMIN_USER: options.mysql.adminUser,
        KMS_MYSQL_ADMIN_PASSWORD: options.mysql.adminPassword,
      };
      const result = spawnSync(
        process.execPath,
        ['--test', '--test-concurrency=1', '--test-reporter=spec', ...wanted],
        { cwd: root, stdio: 'inherit', env },
      );
      if (needsStack && wasRunning === 0) await stackDown(options);
      process.exitCode = result.status ?? 1;
    });
}

/** Before any test: types, format + lint, and the import rules (.dependency-cruiser.cjs). */
function staticChecks(root: string): { name: string; args: string[] }[] {
  const bin = (...path: string[]): string => join(root, 'node_modules', ...path);
  return [
    { name: 'type check', args: [bin('typescript', 'bin', 'tsc'), '--noEmit', '-p', root] },
    {
      name: 'format and lint (biome)',
      args: [
        bin('@biomejs', 'biome', 'bin', 'biome'),
        'ci',
        '--error-on-warnings',
        ...(process.stdout.isTTY ? [] : ['--colors=off']),
        root,
      ],
    },
    {
      name: 'import rules (dependency-cruiser)',
      args: [
        bin('dependency-cruiser', 'bin', 'dependency-cruiser.mjs'),
        '--config',
        join(root, '.dependency-cruiser.cjs'),
        'src',
        'kit',
        'test',
      ],
    },
  ];
}

function testFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => join(dir, name));
}

function run(command: string, args: string[], cwd: string, what: string): void {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`kms: ${what} failed`);
    process.exit(result.status ?? 1);
  }
}
