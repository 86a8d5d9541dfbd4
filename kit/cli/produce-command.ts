import type { Command } from 'commander';
import { SinkError } from '../../src/core/errors.ts';
import { formatProduceSummary, produce } from '../tools/produce.ts';
import { configFrom, withConfigOptions, type ConfigFlags } from '../../src/app/config-options.ts';
import { nameList, positiveNumber, wholeNumber, oneLineUsageErrors } from '../../src/app/flag-parsers.ts';

interface ProduceFlags extends ConfigFlags {
  records?: number;
  topics?: string[];
  rate?: number;
  concurrency?: number;
  schemas?: string;
}

const EXAMPLES = `
Examples:
  kms produce --records 300                      300 records to EACH configured topic (900 for the seed's 3)
  kms produce --records 1000000 --concurrency 3  one producer client per topic
  kms produce --records 50000 --rate 5000        at most 5000 records/s over all topics together
  kms produce --records 10 --topics dataset1 --set kafka.bootstrap.servers=127.0.0.1:9091

What each record carries, so the sink's output can be checked:
  key        the first field as Avro "string" (Confluent wire format, subject <topic>-key);
             a string first field is <topic>-<run>-<seq>, unique across runs
  strings    every other top-level string field starts with "seq=<seq> "
  timestamp* top-level long fields named timestamp... hold the produce time (Date.now())
  seq        the record's number within its topic in this run, from 0; a topic is always sent by one
             producer, so in every partition seq grows with the offset
Other fields get random values of their Avro type (logical types included).
Value schema: --schemas <file> if given, else the registry's latest <topic>-value (run kms provision first).`;

export function registerProduceCommand(program: Command): void {
  oneLineUsageErrors(withConfigOptions(program.command('produce')))
    .description('send random Avro records (Confluent wire format) to the topics, with a progress bar')
    .option('-n, --records <n>', 'records PER TOPIC (required)', wholeNumber(0))
    .option('--topics <a,b>', 'topics to fill (default: kafka.topics)', nameList)
    .option('--rate <r>', 'at most r records per second over all topics (default: as fast as possible)', positiveNumber)
    .option(
      '--concurrency <c>',
      'producer clients; each topic goes through one (default 1, at most one per topic)',
      wholeNumber(1, 64),
    )
    .option('--schemas <file>', "schema file to register and use instead of the registry's latest schemas")
    .addHelpText('after', EXAMPLES)
    .action(async (flags: ProduceFlags) => {
      // Checked here, not as a required option: commander would report it before an unknown flag.
      if (flags.records === undefined)
        throw new SinkError('USAGE', 'produce needs --records <n> (records per topic), e.g. kms produce --records 300');
      const config = configFrom(flags);
      const abort = new AbortController();
      // Ctrl-C stops producing; what was queued is still delivered and the summary printed.
      const onSignal = (): void => abort.abort();
      process.once('SIGINT', onSignal);
      try {
        const result = await produce(config, {
          records: flags.records,
          ...(flags.topics === undefined ? {} : { topics: flags.topics }),
          ...(flags.rate === undefined ? {} : { rate: flags.rate }),
          ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
          ...(flags.schemas === undefined ? {} : { schemas: flags.schemas }),
          progress: 'auto',
          signal: abort.signal,
        });
        console.log(formatProduceSummary(result));
        if (result.failed > 0)
          throw new SinkError('KAFKA_UNAVAILABLE', `${result.failed} records were not acknowledged by Kafka`);
        if (abort.signal.aborted) process.exitCode = 130;
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
}
