/**
 * Debian's chromium for the browser test: installed by the set-up (kit/stack/bootstrap.sh, under its
 * install lock, with apt-get) when missing. playwright-core drives it; no browser is ever downloaded.
 */
import { existsSync } from 'node:fs';
import { ensureBootstrapPackage } from './bootstrap-install.ts';

export const CHROMIUM = '/usr/bin/chromium';

export function ensureChromium(root: string): Promise<void> {
  return ensureBootstrapPackage(root, {
    step: 'kms_ensure_chromium',
    installed: () => existsSync(CHROMIUM),
    what: "chromium: Debian's chromium",
    path: CHROMIUM,
    fix: 'install it with apt-get',
    timeoutMs: 20 * 60_000,
  });
}
