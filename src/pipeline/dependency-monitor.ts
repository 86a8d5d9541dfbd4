/**
 * Whether the services the sink needs answer: the database, Kafka and the schema registry. Each is
 * probed on a timer (a partition with nothing to write would never notice an outage), and the
 * pipelines report what their batches see in between. A service counts as down from its first failed
 * probe or batch until one succeeds; /healthz turns 503 once it has been down longer than the grace.
 */
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { DependencyEvents } from './partition-state.ts';
import type { SinkMetrics } from './sink-metrics.ts';

export const DEPENDENCIES = ['database', 'kafka', 'registry'] as const;
export type Dependency = (typeof DEPENDENCIES)[number];

export interface DependencyDown {
  readonly dependency: Dependency;
  /** How long it has not answered, in ms. */
  readonly downMs: number;
  readonly error: string;
}

interface Reading {
  /** Epoch ms of the first failure since it last answered; undefined while it answers. */
  downSince: number | undefined;
  error: string;
}

export interface DependencyMonitorOptions {
  readonly probes: Readonly<Record<Dependency, () => Promise<void>>>;
  readonly graceMs: number;
  readonly intervalMs: number;
  /** A probe that has not answered within this is a failure (a frozen server accepts and never answers). */
  readonly probeTimeoutMs: number;
}

export class DependencyMonitor implements DependencyEvents {
  readonly #options: DependencyMonitorOptions;
  readonly #metrics: SinkMetrics;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #readings = new Map<Dependency, Reading>(DEPENDENCIES.map((d) => [d, { downSince: undefined, error: '' }]));
  #timer: NodeJS.Timeout | undefined;
  #probing = false;

  constructor(options: DependencyMonitorOptions, metrics: SinkMetrics, log: Logger, now: () => number = Date.now) {
    this.#options = options;
    this.#metrics = metrics;
    this.#log = log;
    this.#now = now;
    for (const dependency of DEPENDENCIES) metrics.dependency(dependency, true);
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.probe(), this.#options.intervalMs).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One round of probes, all services at once. */
  async probe(): Promise<void> {
    if (this.#probing) return;
    this.#probing = true;
    try {
      await Promise.all(
        DEPENDENCIES.map(async (dependency) => {
          try {
            await withTimeout(this.#options.probes[dependency](), this.#options.probeTimeoutMs);
            this.reachable(dependency);
          } catch (error) {
            this.unreachable(dependency, error);
          }
        }),
      );
    } finally {
      this.#probing = false;
    }
  }

  reachable(dependency: Dependency): void {
    const reading = this.#readings.get(dependency)!;
    if (reading.downSince === undefined) return;
    const downMs = this.#now() - reading.downSince;
    reading.downSince = undefined;
    this.#metrics.dependency(dependency, true);
    this.#log.info({ dependency, downMs }, `${dependency} answers again after ${Math.round(downMs / 1000)} s`);
  }

  unreachable(dependency: Dependency, error: unknown): void {
    const reading = this.#readings.get(dependency)!;
    reading.error = describeError(error);
    if (reading.downSince !== undefined) return;
    reading.downSince = this.#now();
    this.#metrics.dependency(dependency, false);
    this.#log.warn({ dependency, err: reading.error }, `${dependency} does not answer`);
  }

  /** Services down for longer than the grace: the reasons /healthz gives for 503. */
  downPastGrace(): DependencyDown[] {
    return this.down().filter((d) => d.downMs > this.#options.graceMs);
  }

  down(): DependencyDown[] {
    const now = this.#now();
    return DEPENDENCIES.flatMap((dependency) => {
      const { downSince, error } = this.#readings.get(dependency)!;
      return downSince === undefined ? [] : [{ dependency, downMs: now - downSince, error }];
    });
  }

  get graceMs(): number {
    return this.#options.graceMs;
  }
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
