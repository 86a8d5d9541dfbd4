/**
 * Debian's chromium for the browser test: installed by the set-up (kit/stack/bootstrap.sh, under its
 * install lock, with apt-get) when missing. playwright-core drives it; no browser is ever downloaded.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SinkError } from '../../src/core/errors.ts';

const run = promisify(execFile);
export const CHROMIUM = '/usr/bin/chromium';

export async function ensureChromium(root: string): Promise<void> {
  if (existsSync(CHROMIUM)) return;
  const script = join(root, 'kit', 'stack', 'bootstrap.sh');
  let said = '';
  try {
    await run('bash', ['-c', 'source "$1" && kms_ensure_chromium', 'bash', script], {
      env: { ...process.env, KMS_ROOT: root },
      timeout: 20 * 60_000,
    });
  } catch (error) {
    said = ((error as { stderr?: string }).stderr ?? '').trim().split('\n').pop() ?? '';
  }
  if (existsSync(CHROMIUM)) return;
  throw new SinkError(
    'STACK_FAILED',
    `chromium: Debian's chromium is not installed (${CHROMIUM}) and could not be installed${said ? ` (${said.replace(/^kms: /, '')})` : ''}; install it with apt-get; log: ${join(root, '.tools', 'apt.log')}`,
  );
}
