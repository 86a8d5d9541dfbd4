import { randomBytes } from 'node:crypto';

/**
 * A name no other test run uses: safe as a Kafka topic, a registry subject and an unquoted SQL identifier
 * (lower-case letters, digits, underscores), and sortable by creation time when debugging leftovers.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}
