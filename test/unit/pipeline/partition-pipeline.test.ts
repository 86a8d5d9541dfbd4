import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { PartitionPipeline } from '../../../src/pipeline/partition-pipeline.ts';
import type { KafkaRecord, PreparedBatch } from '../../../src/core/records.ts';
import type { RecordPreparer } from '../../../src/pipeline/record-preparer.ts';
import type { BatchWriter, CommitResult } from '../../../src/sink/batch-writer.ts';
import { SinkMetrics } from '../../../src/pipeline/sink-metrics.ts';
import { offsetRange } from '../../fixtures/kafka-records.ts';
import { SinkError } from '../../../src/core/errors.ts';

const records = offsetRange;

/** The fake preparer's batches hold consecutive offsets. */
const firstOffset = (batch: PreparedBatch): number => batch.lastOffset - batch.count + 1;

/** Prepares nothing: a batch of consecutive offsets becomes a batch without rows that counts them. */
const preparer = {
  prepare: async (batch: readonly KafkaRecord[]): Promise<PreparedBatch> => ({
    operations: [],
    deadLetters: [],
    count: batch.length,
    lastOffset: batch.at(-1)!.offset,
  }),
} as unknown as RecordPreparer;

type Collaborators = ConstructorParameters<typeof PartitionPipeline>[2];

const OPTIONS: Collaborators['options'] = {
  queueSize: 100,
  resumeAt: 50,
  batchMaxRecords: 10,
  lingerMs: 0,
  retry: { initialMs: 1, budgetMs: 0 },
  deadLetterLog: { maxLines: 10, intervalMs: 1000 },
};

/** Partition t/0 of group g from offset 0: the no-op preparer, `writer`, and `overrides` of the rest. */
function partitionPipeline(writer: BatchWriter, overrides: Partial<Collaborators>): PartitionPipeline {
  return new PartitionPipeline({ topic: 't', partition: 0, group: 'g' }, 0, {
    options: OPTIONS,
    preparer,
    writer,
    log: pino({ level: 'silent' }),
    metrics: new SinkMetrics(false),
    control: { pause: () => {}, resume: () => {}, seek: async () => {}, committed: () => {} },
    ...overrides,
  });
}

/** A pipeline whose writer holds every commit until `release()`; it records the batches it was given. */
function pipelineWithHeldWriter(result?: (batch: PreparedBatch) => CommitResult): {
  pipeline: PartitionPipeline;
  commits: PreparedBatch[];
  release: () => void;
  committing: () => boolean;
  seeks: number[];
  pauses: () => number;
} {
  const commits: PreparedBatch[] = [];
  const seeks: number[] = [];
  let pauses = 0;
  let releaseCommit: (() => void) | undefined;
  const writer = {
    commit: async (_ref: unknown, _expected: number, batch: PreparedBatch): Promise<CommitResult> => {
      commits.push(batch);
      await new Promise<void>((resolve) => {
        releaseCommit = resolve;
      });
      releaseCommit = undefined;
      return (
        result?.(batch) ?? { kind: 'committed', nextOffset: batch.lastOffset + 1, rows: batch.count, deadLetters: 0 }
      );
    },
  } as unknown as BatchWriter;
  const pipeline = partitionPipeline(writer, {
    control: {
      pause: () => {
        pauses++;
      },
      resume: () => {},
      seek: async (offset) => {
        seeks.push(offset);
      },
      committed: () => {},
    },
  });
  return {
    pipeline,
    commits,
    release: () => releaseCommit?.(),
    committing: () => releaseCommit !== undefined,
    seeks,
    pauses: () => pauses,
  };
}

/** A held-writer pipeline, started, with offsets 0 to count-1 accepted and its first commit in flight. */
async function midBatch(
  count: number,
  result?: (batch: PreparedBatch) => CommitResult,
): Promise<ReturnType<typeof pipelineWithHeldWriter>> {
  const held = pipelineWithHeldWriter(result);
  held.pipeline.start();
  held.pipeline.accept(records(0, count));
  await waitUntil(held.committing);
  return held;
}

async function waitUntil(probe: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !probe(); i++) await sleep(5);
  assert.ok(probe(), 'condition never became true');
}

/** Resolves to 'stopped', or to 'hung' when stop() did not resolve within a second. */
const settle = (stopping: Promise<void>): Promise<string> =>
  Promise.race([stopping.then(() => 'stopped'), sleep(1_000).then(() => 'hung')]);

test('a revoke (stop without drain) during an in-flight batch ends once that batch is done, queue empty or not', async () => {
  const { pipeline, commits, release } = await midBatch(5);
  const stopping = pipeline.stop({ drain: false });
  release();
  assert.equal(await settle(stopping), 'stopped');
  assert.equal(pipeline.state, 'stopped');
  assert.equal(commits.length, 1);
  assert.equal(pipeline.expectedOffset, 5);
});

test('a graceful stop during an in-flight batch writes what is queued, then ends', async () => {
  const { pipeline, commits, release, committing } = await midBatch(10);
  pipeline.accept(records(10, 13));
  const stopping = pipeline.stop({ drain: true });
  release();
  await waitUntil(() => commits.length === 2 && committing());
  release();
  assert.equal(await settle(stopping), 'stopped');
  assert.deepEqual(
    commits.map((b) => [firstOffset(b), b.lastOffset]),
    [
      [0, 9],
      [10, 12],
    ],
  );
  assert.equal(pipeline.expectedOffset, 13);
});

test('a lost assignment (abandon) during an in-flight batch ends the loop once that batch is done', async () => {
  const { pipeline, commits, release } = await midBatch(15);
  pipeline.abandon();
  release();
  assert.equal(await settle(pipeline.stop({ drain: false })), 'stopped');
  assert.equal(commits.length, 1, 'nothing queued is written after the loss');
});

test('a lost pipeline whose in-flight batch is fenced far ahead neither seeks nor reports the partition as failed', async () => {
  const { pipeline, release, seeks, pauses } = await midBatch(15, () => ({
    kind: 'fenced',
    stored: 1_000,
  }));
  pipeline.abandon();
  release();
  assert.equal(await settle(pipeline.stop({ drain: false })), 'stopped');
  assert.deepEqual(seeks, [], 'the partition is no longer assigned: no seek');
  assert.equal(pauses(), 0);
  assert.equal(pipeline.failure, undefined);
  assert.equal(pipeline.state, 'stopped');
});

test('an owned pipeline fenced far ahead of what it fetched seeks to the stored offset and goes on', async () => {
  let first = true;
  const { pipeline, commits, release, committing, seeks } = pipelineWithHeldWriter((batch) => {
    if (first) {
      first = false;
      return { kind: 'fenced', stored: 1_000 };
    }
    return { kind: 'committed', nextOffset: batch.lastOffset + 1, rows: batch.count, deadLetters: 0 };
  });
  pipeline.start();
  pipeline.accept(records(0, 15));
  await waitUntil(committing);
  release();
  await waitUntil(() => seeks.length === 1);
  assert.deepEqual(seeks, [1_000]);
  assert.equal(pipeline.expectedOffset, 1_000);
  pipeline.accept(records(5, 15)); // fetched before the seek landed: dropped
  pipeline.accept(records(1_000, 1_003));
  await waitUntil(() => commits.length === 2 && committing());
  assert.deepEqual([firstOffset(commits[1]!), commits[1]!.lastOffset], [1_000, 1_002]);
  release();
  assert.equal(await settle(pipeline.stop({ drain: false })), 'stopped');
  assert.equal(pipeline.expectedOffset, 1_003);
});

test('a partition shows why it waits: waiting_for_database while a batch is retried, running once it commits', async () => {
  let attempts = 0;
  let releaseRetry: (() => void) | undefined;
  const writer = {
    commit: async (_ref: unknown, _expected: number, batch: PreparedBatch): Promise<CommitResult> => {
      if (++attempts === 1) {
        await new Promise<void>((resolve) => {
          releaseRetry = resolve;
        });
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      }
      return { kind: 'committed', nextOffset: batch.lastOffset + 1, rows: batch.count, deadLetters: 0 };
    },
  } as unknown as BatchWriter;
  const events: string[] = [];
  const metrics = new SinkMetrics(false);
  const pipeline = partitionPipeline(writer, {
    options: { ...OPTIONS, queueSize: 4, resumeAt: 2, batchMaxRecords: 2, retry: { initialMs: 200, budgetMs: 10_000 } },
    metrics,
    dependencies: {
      reachable: (d) => events.push(`up ${d}`),
      unreachable: (d) => events.push(`down ${d}`),
    },
  });
  pipeline.start();
  pipeline.accept(records(0, 2));
  await waitUntil(() => releaseRetry !== undefined);
  pipeline.accept(records(2, 6));
  assert.equal(pipeline.state, 'backpressure', 'queue full while the batch is in hand');
  releaseRetry!();
  await waitUntil(() => pipeline.state === 'waiting_for_database');
  const stateMetric = await metrics.registry.getSingleMetricAsString('kms_partition_state');
  assert.match(stateMetric, /kms_partition_state\{topic="t",partition="0",state="waiting_for_database"\} 1/);
  assert.match(stateMetric, /kms_partition_state\{topic="t",partition="0",state="backpressure"\} 0/);
  await waitUntil(() => pipeline.expectedOffset === 6);
  assert.equal(pipeline.state, 'running');
  assert.deepEqual(events.slice(0, 2), ['down database', 'up database']);
  await pipeline.stop({ drain: false });
});

test('a halted commit (errors.tolerance=none) counts only the records before the bad one, then fails the partition', async () => {
  const halt = new SinkError('VALUE_REJECTED', 'offset 3: refused by the database');
  const writer = {
    commit: async (): Promise<CommitResult> => ({ kind: 'committed', nextOffset: 3, rows: 3, deadLetters: 0, halt }),
  } as unknown as BatchWriter;
  const pipeline = partitionPipeline(writer, {});
  pipeline.start();
  pipeline.accept(records(0, 10));
  await waitUntil(() => pipeline.state === 'failed');
  assert.equal(pipeline.committedRecords, 3, 'offsets 0-2 committed, not the 10 of the batch');
  assert.equal(pipeline.expectedOffset, 3);
  assert.equal(pipeline.failure, halt);
});
