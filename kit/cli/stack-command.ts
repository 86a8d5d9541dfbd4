import type { Command } from 'commander';
import { stackDown, stackStatus, stackUp, formatStatus } from '../stack/stack.ts';
import { ALL_SERVICES, type ServiceName, stackOptions } from '../stack/stack-options.ts';
import { SinkError } from '../../src/core/errors.ts';
import { projectRoot } from '../../src/app/project-root.ts';

interface StackFlags {
  brokers?: string;
  only?: string;
}

export function registerStackCommand(program: Command): void {
  const stack = program
    .command('stack')
    .description('start, stop and inspect the local Kafka + registry + MariaDB stack');
  stack
    .command('up')
    .description('start the local services (idempotent) and wait until each one answers')
    .option('--brokers <n>', 'Kafka brokers: 1 (127.0.0.1:9092) or 3 (127.0.0.1:9091-9093, replication 3)')
    .option('--only <services>', `comma list of ${ALL_SERVICES.join(', ')}`)
    .addHelpText(
      'after',
      `
MariaDB: the stack runs a server of its own on 127.0.0.1:3307 (KMS_MARIADB_PORT), data, log and pid file
under .stack/mariadb/, and creates database bank and user consumer on it. KMS_MARIADB=external uses a
server you run instead (KMS_MYSQL_ADMIN_HOST / _PORT / _USER / _PASSWORD, default 127.0.0.1:3306 root).

Examples:
  kms stack up
  kms stack up --brokers 3
  kms stack up --only kafka,registry
  kms stack up --only mariadb
  KMS_MARIADB=external kms stack up`,
    )
    .action(async (flags: StackFlags) => {
      const options = optionsFrom(flags);
      await stackUp(options, (line) => console.log(line));
      console.log(`state, logs and pid files: ${options.dir}`);
    });
  stack
    .command('down')
    .description('stop the services this stack started, by pid (never an external MariaDB)')
    .option('--only <services>', `comma list of ${ALL_SERVICES.join(', ')}`)
    .action(async (flags: StackFlags) => {
      const stopped = await stackDown(optionsFrom(flags));
      console.log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing of ours was running');
    });
  stack
    .command('status')
    .description('show what runs and where')
    .action(async () => {
      console.log(formatStatus(await stackStatus(optionsFrom({}))));
    });
}

function optionsFrom(flags: StackFlags) {
  const overrides: { brokers?: 1 | 3; services?: ServiceName[] } = {};
  if (flags.brokers !== undefined) {
    if (flags.brokers !== '1' && flags.brokers !== '3')
      throw new SinkError('USAGE', `--brokers must be 1 or 3, got "${flags.brokers}"`);
    overrides.brokers = flags.brokers === '3' ? 3 : 1;
  }
  if (flags.only !== undefined) {
    const names = flags.only
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const name of names) {
      if (!ALL_SERVICES.includes(name as ServiceName)) {
        throw new SinkError('USAGE', `--only: unknown service "${name}"; choose from ${ALL_SERVICES.join(', ')}`);
      }
    }
    overrides.services = names as ServiceName[];
  }
  return stackOptions(projectRoot(), overrides);
}
