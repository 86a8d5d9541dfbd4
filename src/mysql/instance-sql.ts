/**
 * `kafka_sink_instances`: one row per running sink instance, rewritten every few seconds (a heartbeat)
 * with the partitions it owns and their states, so every instance's status page can show the whole
 * group. Times are the database server's clock, so instances with skewed clocks still agree on "stale".
 */
import { createTableText } from './ddl.ts';
import { type CompiledQuery, compiled } from './compiled-query.ts';
import { quoteIdentifier } from './identifiers.ts';

export const DEFAULT_INSTANCES_TABLE = 'kafka_sink_instances';

export function createInstancesTable(table: string = DEFAULT_INSTANCES_TABLE): CompiledQuery {
  return compiled(
    createTableText(quoteIdentifier(table), [
      '`instance_id` VARCHAR(255) NOT NULL',
      '`status_url` VARCHAR(512) NOT NULL',
      '`version` VARCHAR(64) NOT NULL',
      '`started_at` DATETIME(3) NOT NULL',
      '`heartbeat_at` DATETIME(3) NOT NULL',
      // JSON text of [{ topic, partition, state, reason }]; read back only by status pages.
      '`partitions` MEDIUMTEXT NOT NULL',
      'PRIMARY KEY (`instance_id`)',
    ]),
  );
}

export interface InstanceBeat {
  readonly id: string;
  readonly statusUrl: string;
  readonly version: string;
  readonly startedAt: Date;
  /** JSON text. */
  readonly partitions: string;
}

export function upsertInstance(beat: InstanceBeat, table: string = DEFAULT_INSTANCES_TABLE): CompiledQuery {
  return compiled(
    `INSERT INTO ${quoteIdentifier(table)} ` +
      '(`instance_id`, `status_url`, `version`, `started_at`, `heartbeat_at`, `partitions`) ' +
      'VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3), ?) ' +
      'ON DUPLICATE KEY UPDATE `status_url` = VALUES(`status_url`), `version` = VALUES(`version`), ' +
      '`heartbeat_at` = UTC_TIMESTAMP(3), `partitions` = VALUES(`partitions`)',
    [beat.id, beat.statusUrl, beat.version, beat.startedAt, beat.partitions],
  );
}

/** Rows `{ id, statusUrl, version, startedAt, ageSeconds, partitions }` of instances heard from within `maxAgeSeconds`. */
export function selectLiveInstances(maxAgeSeconds: number, table: string = DEFAULT_INSTANCES_TABLE): CompiledQuery {
  return compiled(
    'SELECT `instance_id` AS id, `status_url` AS statusUrl, `version`, `started_at` AS startedAt, ' +
      'TIMESTAMPDIFF(MICROSECOND, `heartbeat_at`, UTC_TIMESTAMP(3)) / 1000000 AS ageSeconds, `partitions` ' +
      `FROM ${quoteIdentifier(table)} WHERE \`heartbeat_at\` > UTC_TIMESTAMP(3) - INTERVAL ? SECOND ORDER BY \`instance_id\``,
    [maxAgeSeconds],
  );
}

/** A graceful stop removes its row at once; a crashed instance's row just goes stale. */
export function deleteInstance(id: string, table: string = DEFAULT_INSTANCES_TABLE): CompiledQuery {
  return compiled(`DELETE FROM ${quoteIdentifier(table)} WHERE \`instance_id\` = ?`, [id]);
}

/** Rows older than a day are of instances long gone: swept by any live instance now and then. */
export function deleteStaleInstances(table: string = DEFAULT_INSTANCES_TABLE): CompiledQuery {
  return compiled(`DELETE FROM ${quoteIdentifier(table)} WHERE \`heartbeat_at\` < UTC_TIMESTAMP(3) - INTERVAL 1 DAY`);
}
