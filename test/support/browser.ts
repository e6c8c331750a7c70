/**
 * Browser tests run where a Chromium is found (Debian's `chromium`, or CHROMIUM_PATH) and are
 * skipped elsewhere with one line saying how to run them — except in CI (`CI=true`), where a
 * missing browser fails the run instead: .ci/run installs it.
 */
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The browser's executable, or null where none is installed. */
export const browserExecutable: string | null = CANDIDATES.find((file): file is string => !!file && fs.existsSync(file)) ?? null;

const inCi = /^(1|true)$/i.test(process.env.CI ?? '');

/** True when this file's browser tests must be skipped (and says so, once, with how to enable them). */
export function skipWithoutBrowser(what: string): boolean {
  if (browserExecutable) return false;
  if (inCi) throw new Error(`CI=true but no Chromium is installed for ${what} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  console.warn(
    `跳过浏览器测试 / skipping browser tests (${what}): no Chromium found — run \`apt-get install -y chromium\` (or set CHROMIUM_PATH) to enable them.`,
  );
  return true;
}

export function launchBrowser(): Promise<Browser> {
  if (!browserExecutable) throw new Error('no Chromium installed');
  return chromium.launch({
    executablePath: browserExecutable,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
    ],
  });
}
