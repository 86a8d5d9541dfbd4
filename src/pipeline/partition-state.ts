/**
 * What a partition is doing, as the status page, /status.json and kms_partition_state show it:
 * running; backpressure (queue full, fetching paused); waiting_for_database / waiting_for_registry (a
 * batch is being retried because that service does not answer); failed (stopped on an error); stopping
 * and stopped while it is released.
 */
export const PIPELINE_STATES = [
  'running',
  'backpressure',
  'waiting_for_database',
  'waiting_for_registry',
  'failed',
  'stopping',
  'stopped',
] as const;
export type PipelineState = (typeof PIPELINE_STATES)[number];

/** The service a batch retry is waiting for, from the error that made it retry. */
export type WaitingFor = 'database' | 'registry';

/** Told when a batch succeeds or waits for a service: the runner's view of its dependencies. */
export interface DependencyEvents {
  reachable(dependency: WaitingFor): void;
  unreachable(dependency: WaitingFor, error: unknown): void;
}
