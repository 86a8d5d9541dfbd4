import type { Command } from 'commander';
import { type ConfigFlags, configFrom, withConfigOptions } from '../../src/app/config-options.ts';
import { oneLineUsageErrors, wholeNumber } from '../../src/app/flag-parsers.ts';
import { SinkError } from '../../src/core/errors.ts';
import { DeadLetterStore } from '../../src/pipeline/dead-letter-replay.ts';
import { databaseError } from '../tools/database.ts';
import { type FilterFlags, filterFrom, formatDetail, formatList, formatOutcome } from '../tools/dead-letters.ts';

interface ListFlags extends ConfigFlags, FilterFlags {
  limit: number;
}
interface ReplayFlags extends ListFlags {
  all?: boolean;
}

const EXAMPLES = `
Examples:
  kms dead-letters list                                  every dead letter (first 100), in Kafka order
  kms dead-letters list --topic dataset1 --reason SCHEMA_NOT_FOUND
  kms dead-letters list --topic dataset1 --partition 2 --from-offset 1000 --to-offset 2000
  kms dead-letters show 42                               one in full, key and value as a hex dump
  kms dead-letters replay 42 43                          after fixing the cause: write them, remove the dead letters
  kms dead-letters replay --topic dataset1 --reason SCHEMA_NOT_FOUND
  kms dead-letters replay --all

A replay writes the row and deletes the dead letter in one transaction (a second replay finds nothing).
A record that still can not be written keeps its dead letter; the line says why, and the exit code is 1.`;

const ID = wholeNumber(1);

function filterOptions(command: Command): Command {
  return command
    .option('--topic <topic>', 'only this topic (one of kafka.topics)')
    .option('--partition <n>', 'only this partition (needs --topic)', wholeNumber(0, 1_000_000))
    .option(
      '--reason <kind>',
      'only this reason: WIRE_FORMAT, SCHEMA_NOT_FOUND, DECODE_FAILED, VALUE_REJECTED, TOMBSTONE…',
    )
    .option('--from-offset <n>', 'offsets from n (inclusive; needs --partition)', wholeNumber(0))
    .option('--to-offset <n>', 'offsets up to n (inclusive; needs --partition)', wholeNumber(0))
    .option('--limit <n>', 'at most n dead letters', wholeNumber(1, 1_000_000), 100);
}

async function withStore<T>(flags: ConfigFlags, work: (store: DeadLetterStore) => Promise<T>): Promise<T> {
  const config = configFrom(flags);
  const store = new DeadLetterStore(config);
  try {
    return await work(store);
  } catch (error) {
    throw error instanceof SinkError ? error : databaseError(config, error);
  } finally {
    await store.close();
  }
}

export function registerDeadLettersCommand(program: Command): void {
  const group = oneLineUsageErrors(program.command('dead-letters'))
    .description('list, show and replay the records in kafka_dead_letters')
    .addHelpText('after', EXAMPLES);

  oneLineUsageErrors(filterOptions(withConfigOptions(group.command('list'))))
    .description('dead letters matching the filters, in Kafka order')
    .action(async (flags: ListFlags) => {
      const filter = filterFrom(configFrom(flags), flags);
      const letters = await withStore(flags, (store) => store.list(filter, flags.limit));
      console.log(formatList(letters, flags.limit).join('\n'));
    });

  oneLineUsageErrors(withConfigOptions(group.command('show')))
    .description('one dead letter in full: reason, message, key and value as a hex dump')
    .argument('<id>', 'the id shown by list', ID)
    .action(async (id: number, flags: ConfigFlags) => {
      const letter = await withStore(flags, (store) => store.show(id));
      if (letter === undefined)
        throw new SinkError('USAGE', `no dead letter with id ${id} (kms dead-letters list shows them)`);
      console.log(formatDetail(letter).join('\n'));
    });

  oneLineUsageErrors(filterOptions(withConfigOptions(group.command('replay'))))
    .description('write dead letters whose cause was fixed and remove them, each in one transaction')
    .argument('[ids...]', 'ids shown by list (or use the filters, or --all)')
    .option('--all', 'every dead letter matching the filters, even with no filter')
    .action(async (ids: string[], flags: ReplayFlags) => {
      const config = configFrom(flags);
      const filter = filterFrom(config, flags);
      const filtered = Object.keys(filter).length > 0;
      if (ids.length > 0 && (filtered || flags.all))
        throw new SinkError('USAGE', 'give either ids or filters (--topic, --reason, … / --all), not both');
      if (ids.length === 0 && !filtered && !flags.all)
        throw new SinkError('USAGE', 'which dead letters? give ids, filters (--topic, --reason, …) or --all');
      const wanted = ids.map((text) => {
        try {
          return ID(text);
        } catch {
          throw new SinkError('USAGE', `dead letter id must be a whole number >= 1, got ${JSON.stringify(text)}`);
        }
      });
      const outcomes = await withStore(flags, async (store) => {
        const targets = wanted.length > 0 ? wanted : (await store.list(filter, flags.limit)).map((d) => d.id);
        const results = [];
        for (const id of targets) {
          const outcome = await store.replay(id);
          console.log(formatOutcome(outcome));
          results.push(outcome);
        }
        return results;
      });
      const count = (result: string): number => outcomes.filter((o) => o.result === result).length;
      console.log(`${count('replayed')} replayed, ${count('failed')} still failing, ${count('gone')} already gone`);
      if (count('failed') > 0) process.exitCode = 1;
    });
}
