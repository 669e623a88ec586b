/**
 * A real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) whose third-party cookie setting
 * is chosen, not inherited: the profile's cookie preference is written before start (block = the "Block
 * third-party cookies" setting, plus the third-party-cookie phase-out test flag; allow = third-party cookies
 * allowed), in a fresh profile directory per launch.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(options: { thirdPartyCookies: 'block' | 'allow' }): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package to run the browser tests`);
  const block = options.thirdPartyCookies === 'block';
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'accrue-chromium-'));
  fs.mkdirSync(path.join(profile, 'Default'));
  // cookie_controls_mode: 0 = allow third-party cookies, 1 = block them (the setting a user or policy chooses).
  fs.writeFileSync(path.join(profile, 'Default', 'Preferences'), JSON.stringify({
    profile: { cookie_controls_mode: block ? 1 : 0, block_third_party_cookies: block },
  }));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, ignoreHTTPSErrors: true,
    args: [...ARGS, ...(block ? ['--test-third-party-cookie-phaseout'] : [])],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
