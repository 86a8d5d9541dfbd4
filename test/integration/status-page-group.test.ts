import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Overview } from '../../src/status/status-model.ts';
import { SinkScenario } from './helpers/sink-harness.ts';
import { freePort } from './helpers/services.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * Two instances share a topic's partitions: each one's page shows every partition, with the same
 * owner for each (from the heartbeat table), and the two instances in its list. A graceful stop
 * removes an instance from the others' pages at once.
 */
const scenario = new SinkScenario(1, 4, 'kms_grp');
const topic = scenario.topics[0]!;
const ports: number[] = [];

before(async () => {
  await scenario.setup();
  await scenario.produceSequenced(topic, 50);
});
after(() => scenario.cleanup());

async function overview(port: number): Promise<Overview> {
  return (await (await fetch(`http://127.0.0.1:${port}/api/overview`)).json()) as Overview;
}

/** partition → owner, as a page shows it. */
function owners(o: Overview): string[] {
  return o.partitions.map((p) => `${p.partition}:${p.owner}`);
}

test("every instance's page shows the whole group, with one owner per partition", async () => {
  for (let i = 0; i < 2; i++) ports.push(await freePort());
  const a = scenario.startSink({ 'status.port': ports[0]!, 'kafka.session.timeout.ms': 6000 }, 'A');
  await scenario.waitForOffsets(topic, () => 50);
  const b = scenario.startSink({ 'status.port': ports[1]!, 'kafka.session.timeout.ms': 6000 }, 'B');
  let pages: Overview[] = [];
  await waitFor(
    'both pages agree on a split group',
    async () => {
      pages = await Promise.all(ports.map((port) => overview(port).catch(() => undefined))).then((all) =>
        all.filter((o): o is Overview => o !== undefined),
      );
      if (pages.length < 2) return false;
      const [pa, pb] = pages as [Overview, Overview];
      const ids = new Set([pa.instance.id, pb.instance.id]);
      const split = new Set(pa.partitions.map((p) => p.owner));
      return (
        owners(pa).join() === owners(pb).join() &&
        split.size === 2 &&
        [...split].every((owner) => owner !== null && ids.has(owner)) &&
        pa.instances.length === 2 &&
        pb.instances.length === 2 &&
        pa.partitions.length === 4
      );
    },
    { timeoutMs: 90_000, intervalMs: 500 },
  );
  const [pa, pb] = pages as [Overview, Overview];
  // Each page knows which partitions are its own (queued is only known for those) and whose the others are.
  for (const page of [pa, pb]) {
    for (const p of page.partitions) {
      assert.equal(p.queued !== null, p.owner === page.instance.id, `${page.instance.id}: ${p.partition}`);
      assert.equal(p.state, 'running');
      assert.equal(p.committed, 50);
      assert.equal(p.end, 50);
    }
    assert.deepEqual(page.instances.map((i) => i.id).sort(), [pa.instance.id, pb.instance.id].sort());
  }
  const other = pb.partitions.find((p) => p.owner === pa.instance.id)!;
  assert.equal(other.ownerUrl, `http://127.0.0.1:${ports[0]}/`);

  // A leaves gracefully: its heartbeat row goes with it, B's page lists B alone and then owns everything.
  assert.equal(await a.kill('SIGTERM'), 0);
  await waitFor(
    "B's page shows B alone, owning every partition",
    async () => {
      const page = await overview(ports[1]!);
      return page.instances.length === 1 && page.partitions.every((p) => p.owner === page.instance.id);
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  await b.kill('SIGTERM');
});
