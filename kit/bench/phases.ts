/** Phases of a full bench run, in the order they run (`--only` picks a subset). Kept apart from run.ts
 * so the CLI can parse `--only` without loading the suite: `kms run` starts must stay lean. `peer` runs
 * only when asked for (`--peer` or `--only peer`): it drains the end-to-end phase's records first, with
 * Kafka Connect + Debezium's JDBC sink, then the sink under test drains the same records. `client` measures
 * the Kafka client alone on the end-to-end records (client-floor.ts). */
export const PHASES = ['ceiling', 'seed', 'peer', 'e2e', 'latency', 'restart', 'scale', 'client'] as const;
export type Phase = (typeof PHASES)[number];
