/** The sink's declared keys as a flat table, in the order of config/sink.properties: for listings and checks. */
import type { PrefixDeclaration } from './declare-keys.ts';
import { KEY_ENTRIES } from './load-config.ts';

export interface KeyInfo {
  readonly key: string;
  /** As properties text. */
  readonly default: string;
  /** A key of the seed system, accepted unchanged with the same meaning. */
  readonly seed: boolean;
  readonly secret: boolean;
  readonly description: string;
}

export const CONFIG_KEYS: readonly KeyInfo[] = Object.freeze(
  KEY_ENTRIES.flatMap(({ declaration: d }) =>
    d.kind === 'key'
      ? [Object.freeze({ key: d.name, default: d.default, seed: d.section.seed, secret: d.secret, description: d.doc })]
      : [],
  ),
);

/** Every family of prefixed keys (`kafka.consumer.<property>`). */
export const KEY_PREFIXES: readonly PrefixDeclaration[] = Object.freeze(
  KEY_ENTRIES.flatMap(({ declaration: d }) => (d.kind === 'prefix' ? [d] : [])),
);
