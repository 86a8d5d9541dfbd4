import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, type SinkConfig } from '../config/index.ts';
import { projectRoot } from './project-root.ts';

export interface ConfigFlags {
  config?: string;
  set?: string[];
}

/** `--config` and repeatable `--set key=value`, shared by every command that talks to the services. */
export function withConfigOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', 'properties file (default: config/sink.properties when present)')
    .option(
      '-s, --set <key=value>',
      'override one config key (repeatable), e.g. --set mysql.maxPoolSize=20',
      (value: string, previous: string[] = []) => [...previous, value],
    );
}

/** Defaults < file < KMS_* environment < --set. Throws SinkError CONFIG_INVALID (exit code 2). */
export function configFrom(flags: ConfigFlags): SinkConfig {
  const fallback = join(projectRoot(), 'config', 'sink.properties');
  const file = flags.config ?? (existsSync(fallback) ? fallback : undefined);
  return loadConfig({ ...(file === undefined ? {} : { file }), overrides: flags.set ?? [] });
}
