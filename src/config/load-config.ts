/** The sink's config: its key declaration, cross-key checks and derived values, bound to the loader. */
import type { LoadConfigOptions } from './config-layers.ts';
import { configLoader } from './config-loader.ts';
import { crossCheck } from './cross-checks.ts';
import { deriveConfig, type SinkConfig } from './sink-config.ts';
import { SECTIONS, SINK_KEYS } from './sink-keys.ts';

export type { LoadConfigOptions };

const SINK_CONFIG = configLoader({ keys: SINK_KEYS, sections: SECTIONS, check: crossCheck, derive: deriveConfig });

/** Every declared key and prefix of the sink, in the order of config/sink.properties. */
export const KEY_ENTRIES = SINK_CONFIG.entries;

/** Defaults < properties file < `KMS_*` environment < `--set key=value`; see config-loader.ts. */
export const loadConfig: (options?: LoadConfigOptions) => SinkConfig = SINK_CONFIG.load;

/** A plain copy safe to log, print or serve: every declared secret and URL credential reads `***`. */
export const redactConfig: (config: SinkConfig) => SinkConfig = SINK_CONFIG.redact;
