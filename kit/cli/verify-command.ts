import type { Command } from 'commander';
import { formatVerify, verify, waitLine } from '../tools/verify.ts';
import { configFrom, withConfigOptions, type ConfigFlags } from '../../src/app/config-options.ts';
import { positiveNumber, oneLineUsageErrors } from '../../src/app/flag-parsers.ts';

interface VerifyFlags extends ConfigFlags {
  wait?: boolean;
  timeout: number;
}

const EXAMPLES = `
Examples:
  kms verify                         check now; exit code 0 only when every partition matches
  kms verify --wait --timeout 300    wait up to 5 minutes for the sink to catch up

A partition matches when
  stored (kafka_offsets.offset of group-<topic>) == end (Kafka end offset), and
  rows (table rows of that partition) + dead (kafka_dead_letters) == end, and
  dup == 0: no _kafka_offset twice, none both a row and a dead letter (needs sink.provenance.columns=true;
  without them only the topic's total row count is checked, on a line with partition "all").
Assumes offsets without gaps (no compaction, no transactions), true for topics filled by kms produce.`;

const WAIT_LINE_EVERY_MS = 5_000;

export function registerVerifyCommand(program: Command): void {
  oneLineUsageErrors(withConfigOptions(program.command('verify')))
    .description('prove exactly-once: compare Kafka end offsets, kafka_offsets and table rows per partition')
    .option('--wait', 'poll until every partition matches or --timeout passes')
    .option('--timeout <seconds>', 'how long --wait waits', positiveNumber, 120)
    .addHelpText('after', EXAMPLES)
    .action(async (flags: VerifyFlags) => {
      const config = configFrom(flags);
      let lastLine = performance.now();
      const result = await verify(config, {
        wait: flags.wait === true,
        timeoutSeconds: flags.timeout,
        onPoll: (partial, elapsed) => {
          if (performance.now() - lastLine < WAIT_LINE_EVERY_MS) return;
          lastLine = performance.now();
          console.log(waitLine(partial, elapsed, flags.timeout));
        },
      });
      for (const line of formatVerify(result)) console.log(line);
      if (!result.ok) process.exitCode = 1;
    });
}
