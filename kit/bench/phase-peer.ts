import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProduceResult } from '../tools/produce.ts';
import type { BenchEnv } from './bench-env.ts';
import { produceBacklog } from './e2e.ts';
import { preparePeer, runPeer } from './peer.ts';
import { describePeerSettings, type PeerSettings } from './peer-settings.ts';
import type { BenchReport } from './report.ts';
import { dirtyPages, settleDatabase } from './settle.ts';
import type { Sizes } from './sizes.ts';
import { formatInt } from './stats.ts';

/**
 * The peer drains the end-to-end backlog first (produced here), into its own database; the sink under test
 * then drains the very same records. Between the two, MariaDB gets time to flush what the peer wrote.
 */
export async function peerPhase(
  env: BenchEnv,
  topics: string[],
  sizes: Sizes,
  report: BenchReport,
  settings: PeerSettings,
): Promise<ProduceResult> {
  env.log(
    `peer: producing ${formatInt(sizes.records)} records, then Kafka Connect + Debezium's JDBC sink drains them (${describePeerSettings(settings, env.config(topics).mysql.ssl.mode).join(', ')})`,
  );
  await preparePeer(env, settings);
  const produced = await produceBacklog(env, topics, sizes.records);
  const target = await env.endOffsets(topics);
  const dirtyBefore = await dirtyPages(env);
  const peer = await runPeer(env, topics, { settings, target, timeoutMs: sizes.drainTimeoutMs });
  report.peer = peer;
  writeFileSync(join(env.outDir, 'peer-series.json'), JSON.stringify({ throughput: peer.series }));
  env.log(
    `  ${formatInt(peer.records)} rows committed ${peer.done.toFixed(2)} s after the worker's spawn (first row ${peer.firstRow.toFixed(2)} s): ` +
      `${formatInt(peer.coldRate)} rec/s cold, ${formatInt(peer.steadyRate)} rec/s steady; peak RSS ${(peer.peakRss / 2 ** 20).toFixed(0)} MB; ${peer.verifyText}`,
  );
  const settled = await settleDatabase(env, dirtyBefore, 60_000);
  env.log(`  MariaDB settled for ${settled.seconds.toFixed(0)} s (dirty pages ${formatInt(settled.dirty)})`);
  return produced;
}
