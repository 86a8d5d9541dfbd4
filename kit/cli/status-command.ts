import type { Command } from 'commander';
import { PartitionProbe } from '../tools/partition-snapshot.ts';
import { formatStatus, readStatus } from '../tools/status.ts';
import { configFrom, withConfigOptions, type ConfigFlags } from '../../src/app/config-options.ts';
import { oneLineUsageErrors } from '../../src/app/flag-parsers.ts';

interface StatusFlags extends ConfigFlags {
  watch?: boolean;
}

const EXAMPLES = `
Examples:
  kms status            committed offset (kafka_offsets), Kafka end offset, lag and dead letters per partition
  kms status --watch    refresh every 2 s until Ctrl-C`;

const REFRESH_MS = 2_000;
const CLEAR_SCREEN = '\x1b[2J\x1b[H';

export function registerStatusCommand(program: Command): void {
  oneLineUsageErrors(withConfigOptions(program.command('status')))
    .description('per partition: committed offset, end offset, lag and dead letters')
    .option('--watch', `refresh every ${REFRESH_MS / 1000} s until Ctrl-C`)
    .addHelpText('after', EXAMPLES)
    .action(async (flags: StatusFlags) => {
      const config = configFrom(flags);
      const probe = await PartitionProbe.open(config);
      let stopped = false;
      let wake: (() => void) | undefined;
      const stop = (): void => {
        stopped = true;
        wake?.();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        do {
          const lines = formatStatus(await readStatus(probe));
          // On a terminal redraw in place; in a log keep every reading, separated by a blank line.
          if (flags.watch === true && process.stdout.isTTY) process.stdout.write(CLEAR_SCREEN);
          else if (flags.watch === true) lines.push('');
          console.log(lines.join('\n'));
          if (flags.watch === true && !stopped) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, REFRESH_MS);
            });
          }
        } while (flags.watch === true && !stopped);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await probe.close();
      }
    });
}
