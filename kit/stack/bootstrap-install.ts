/**
 * Debian packages the kit needs beyond the npm dependencies (MariaDB's server binaries, chromium for the
 * browser test), installed by the set-up itself: a `kms_ensure_*` function of kit/stack/bootstrap.sh,
 * which runs apt-get under the same install lock as the first-run install.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SinkError } from '../../src/core/errors.ts';

const run = promisify(execFile);

export interface BootstrapPackage {
  /** The bootstrap.sh function that installs it (e.g. `kms_ensure_chromium`). */
  readonly step: string;
  readonly installed: () => boolean;
  /** Start of the failure line, e.g. "chromium: Debian's chromium". */
  readonly what: string;
  /** The file whose absence means "not installed". */
  readonly path: string;
  /** What the operator can do instead. */
  readonly fix: string;
  readonly timeoutMs?: number;
}

/** Installs the package when missing; one STACK_FAILED line naming the apt log when that did not work. */
export async function ensureBootstrapPackage(root: string, pkg: BootstrapPackage): Promise<void> {
  if (pkg.installed()) return;
  const script = join(root, 'kit', 'stack', 'bootstrap.sh');
  let said = '';
  try {
    await run('bash', ['-c', `source "$1" && ${pkg.step}`, 'bash', script], {
      env: { ...process.env, KMS_ROOT: root },
      ...(pkg.timeoutMs === undefined ? {} : { timeout: pkg.timeoutMs }),
    });
  } catch (error) {
    said = ((error as { stderr?: string }).stderr ?? '').trim().split('\n').pop() ?? '';
  }
  if (pkg.installed()) return;
  throw new SinkError(
    'STACK_FAILED',
    `${pkg.what} is not installed (${pkg.path}) and could not be installed${said ? ` (${said.replace(/^kms: /, '')})` : ''}; ${pkg.fix}; log: ${join(root, '.tools', 'apt.log')}`,
  );
}
