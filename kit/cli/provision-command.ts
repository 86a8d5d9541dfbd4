import type { Command } from 'commander';
import { provision, DEFAULT_PARTITIONS } from '../tools/provision.ts';
import { configFrom, withConfigOptions, type ConfigFlags } from '../../src/app/config-options.ts';
import { wholeNumber, oneLineUsageErrors } from '../../src/app/flag-parsers.ts';

interface ProvisionFlags extends ConfigFlags {
  schemas?: string;
  partitions?: number;
  replication?: number;
  reset?: boolean;
}

const EXAMPLES = `
Examples:
  kms provision                                  the seed's three datasets (config/seed-schemas.json)
  kms provision --schemas my-schemas.json --set kafka.topics=orders,payments
  kms provision --partitions 6 --replication 3   on the 3-broker stack (kms stack up --brokers 3)
  kms provision --reset                          start over: deletes the topics' records, tables and offsets

The schema file maps each topic to its Avro record schema: {"topics": {"<topic>": {"type": "record", ...}}}.
Topics come from kafka.topics; each needs a schema in the file. Running it again changes nothing.`;

export function registerProvisionCommand(program: Command): void {
  oneLineUsageErrors(withConfigOptions(program.command('provision')))
    .description(
      'create topics, register schemas, create the database, bookkeeping tables and one table per topic (idempotent)',
    )
    .option('--schemas <file>', 'schema file (default: config/seed-schemas.json)')
    .option('--partitions <n>', `partitions per topic (default: ${DEFAULT_PARTITIONS})`, wholeNumber(1, 10_000))
    .option('--replication <n>', 'replication factor (default: min(3, brokers in the cluster))', wholeNumber(1, 100))
    .option(
      '--reset',
      'delete and recreate the topics, drop their tables, offset rows and dead letters (destroys data; stop the sink first)',
    )
    .addHelpText('after', EXAMPLES)
    .action(async (flags: ProvisionFlags) => {
      const config = configFrom(flags);
      await provision(config, {
        ...(flags.schemas === undefined ? {} : { schemas: flags.schemas }),
        ...(flags.partitions === undefined ? {} : { partitions: flags.partitions }),
        ...(flags.replication === undefined ? {} : { replication: flags.replication }),
        reset: flags.reset === true,
        log: (line) => console.log(line),
      });
      console.log('provision: done');
    });
}
