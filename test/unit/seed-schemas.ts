import { readFileSync } from 'node:fs';
import { defaultSchemaFile } from '../../src/tools/schema-file.ts';

/** The seed's three dataset schemas as the project ships them (config/seed-schemas.json), by topic. */
export const SEED_SCHEMAS = (
  JSON.parse(readFileSync(defaultSchemaFile(), 'utf8')) as {
    topics: Record<string, { type: 'record'; name: string; fields: { name: string; type: unknown }[] }>;
  }
).topics;
