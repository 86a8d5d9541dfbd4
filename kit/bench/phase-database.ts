/** The database-only phases: the ceiling (batched writers, no Kafka) and the seed's one-transaction-per-record design. */
import type { BenchEnv } from './bench-env.ts';
import { generateRows, runWriters } from './db-writers.ts';
import type { Phase } from './phases.ts';
import type { BenchReport } from './report.ts';
import type { Sizes } from './sizes.ts';
import { formatInt } from './stats.ts';

export type Wanted = (phase: Phase) => boolean;

export async function databasePhases(env: BenchEnv, sizes: Sizes, report: BenchReport, wanted: Wanted): Promise<void> {
  const config = env.config(env.topicsOf(''));
  const perPartition = Math.ceil(sizes.records / 9);
  env.log(`database ceiling: generating ${formatInt(perPartition * 9)} rows (3 tables × 3 partitions)`);
  const rows = generateRows(config, perPartition);
  if (wanted('ceiling')) {
    // Two alternating rounds, the faster of each kept: a ceiling is the best the database did, and
    // alternating spreads InnoDB's background work (purge, flushing after the DROPs) over both shapes.
    const batch = config.sink.batchMaxRecords;
    for (let round = 1; round <= 2; round++) {
      const fenced = await runWriters(config, rows, { label: 'ceiling', shape: 'fenced', batch, perPartition });
      const plain = await runWriters(config, rows, { label: 'plain', shape: 'plain', batch, perPartition });
      env.log(
        `  round ${round}: fence + insert ${formatInt(fenced.recordsPerSecond)} rec/s ` +
          `(${fenced.seconds.toFixed(1)} s), ` +
          `insert + commit ${formatInt(plain.recordsPerSecond)} rec/s (${plain.seconds.toFixed(1)} s)`,
      );
      if (report.ceiling === undefined || fenced.recordsPerSecond > report.ceiling.recordsPerSecond)
        report.ceiling = fenced;
      if (report.ceilingPlain === undefined || plain.recordsPerSecond > report.ceilingPlain.recordsPerSecond)
        report.ceilingPlain = plain;
    }
  }
  if (wanted('seed')) {
    env.log(
      `seed design: one transaction per record, up to ${formatInt(sizes.seedRecords)} records or ${sizes.seedMaxSeconds} s`,
    );
    report.seed = await runWriters(config, rows, {
      label: 'seed',
      shape: 'seed',
      batch: 1,
      perPartition: Math.ceil(sizes.seedRecords / 9),
      maxSeconds: sizes.seedMaxSeconds,
    });
    env.log(
      `  ${formatInt(report.seed.recordsPerSecond)} rec/s (${formatInt(report.seed.records)} records in ` +
        `${report.seed.seconds.toFixed(1)} s)`,
    );
  }
}
