import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BOOTSTRAP = resolve(import.meta.dirname, '..', '..', '..', '..', 'kit', 'stack', 'bootstrap.sh');

/**
 * One `./kms` bootstrap as a fresh clone runs it, with the slow step replaced by a fake that takes half a
 * second and leaves the install stamp behind. Both processes first wait for each other (a barrier of
 * files), so both see "nothing installed yet" before either installs.
 */
const FAKE_BOOTSTRAP = `
set -euo pipefail
source "$BOOTSTRAP"
kms_find_node() { return 0; }
kms_dependencies_current() { [ -f "$KMS_ROOT/installed" ]; }
kms_install_toolchain() {
  if kms_dependencies_current; then echo "$ID found it installed" >>"$KMS_ROOT/steps"; return; fi
  echo "$ID install start" >>"$KMS_ROOT/steps"
  sleep 0.5
  echo "$ID install end" >>"$KMS_ROOT/steps"
  touch "$KMS_ROOT/installed"
}
touch "$KMS_ROOT/ready-$ID"
while [ ! -f "$KMS_ROOT/ready-A" ] || [ ! -f "$KMS_ROOT/ready-B" ]; do sleep 0.01; done
kms_dependencies_current || echo "$ID saw nothing installed" >>"$KMS_ROOT/steps"
kms_bootstrap
`;

function bootstrap(root: string, id: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', ['-c', FAKE_BOOTSTRAP], {
      env: { ...process.env, KMS_ROOT: root, BOOTSTRAP, ID: id },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code, stderr }));
  });
}

describe('kit/stack/bootstrap.sh install lock', () => {
  const root = mkdtempSync(join(tmpdir(), 'kms-bootstrap-lock-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('two bootstraps started together on a fresh clone install once, one after the other', async (t) => {
    const results = await Promise.all([bootstrap(root, 'A'), bootstrap(root, 'B')]);
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const steps = readFileSync(join(root, 'steps'), 'utf8').trim().split('\n');
    const saw = steps.filter((line) => line.endsWith('saw nothing installed'));
    assert.equal(saw.length, 2, `both started before anything was installed: ${steps.join(' | ')}`);
    const work = steps.filter((line) => !saw.includes(line));
    const installer = work[0]?.split(' ')[0];
    const other = installer === 'A' ? 'B' : 'A';
    assert.deepEqual(
      work,
      [`${installer} install start`, `${installer} install end`, `${other} found it installed`],
      'one install, whole, and the other waited for it',
    );
    const waiting = results.map((r) => r.stderr).filter((text) => text.includes('waiting for it'));
    t.diagnostic(`"another ./kms is installing; waiting" printed by ${waiting.length} of 2`);
  });
});
