/** Phases of a full bench run, in the order they run (`--only` picks a subset). Kept apart from run.ts
 * so the CLI can parse `--only` without loading the suite: `kms run` starts must stay lean. */
export const PHASES = ['ceiling', 'seed', 'e2e', 'latency', 'restart', 'scale'] as const;
export type Phase = (typeof PHASES)[number];
