import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout this CLI runs from (./kms exports it; the fallback covers `node src/main.ts`). */
export function projectRoot(): string {
  return process.env.KMS_ROOT ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}
