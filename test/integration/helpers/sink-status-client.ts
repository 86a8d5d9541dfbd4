import type { Settings } from './test-world.ts';
import type { SinkProcess, SinkScenario } from './sink-harness.ts';
import { freePort } from './services.ts';
import { waitFor } from './wait.ts';

interface Health {
  readonly status: number;
  readonly body: { reasons: string[] };
}

/** A running sink's status server as the tests read it: /healthz, the partition states of /status.json, /metrics. */
export function sinkStatus(port: number) {
  const base = `http://127.0.0.1:${port}`;
  const health = async (): Promise<Health> => {
    const response = await fetch(`${base}/healthz`);
    return { status: response.status, body: (await response.json()) as { reasons: string[] } };
  };
  return {
    health,
    /** Polls /healthz until it answers `code`; returns that answer (its reasons). */
    async healthBecomes(code: number, what: string, timeoutMs: number): Promise<Health> {
      let last = await health();
      await waitFor(
        what,
        async () => {
          last = await health();
          return last.status === code;
        },
        { timeoutMs, intervalMs: 100 },
      );
      return last;
    },
    async states(): Promise<string[]> {
      const partitions = (await (await fetch(`${base}/status.json`)).json()) as { partition: number; state: string }[];
      return partitions.sort((a, b) => a.partition - b.partition).map((p) => p.state);
    },
    async metrics(): Promise<string> {
      return (await fetch(`${base}/metrics`)).text();
    },
  };
}

/** Starts the scenario's sink with a status server on a free port and the given health grace; returns both. */
export async function startSinkWithStatus(
  scenario: SinkScenario,
  settings: Settings,
  graceMs: number,
): Promise<{ sink: SinkProcess; status: ReturnType<typeof sinkStatus> }> {
  const port = await freePort();
  const sink = scenario.startSink({ ...settings, 'status.port': port, 'status.health.grace.ms': graceMs });
  return { sink, status: sinkStatus(port) };
}
