// Launches the system Chromium (never a downloaded one) headless through playwright-core, with a
// fresh profile directory that is removed on close, and opens harness pages with their console
// errors and uncaught exceptions captured.
import { chromium } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The system Chromium binary. */
export const CHROMIUM_PATH = process.env.FEATHERDET_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a quiet, offline, headless Chromium. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/**
 * Launches Chromium; resolves to { context, newPage(url), close() }. extraArgs are appended to
 * CHROMIUM_ARGS (e.g. the fake camera flags); contextOptions go to launchPersistentContext.
 */
export async function launchBrowser({ extraArgs = [], contextOptions = {} } = {}) {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'featherdet-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      ...contextOptions,
      args: [...CHROMIUM_ARGS, ...extraArgs],
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    context,
    /** Opens url; the returned page's `errors` array collects console errors and page errors. */
    async newPage(url) {
      const page = await context.newPage();
      page.errors = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error') page.errors.push(`console: ${msg.text()}`);
      });
      page.on('pageerror', (err) => page.errors.push(`pageerror: ${err.message}`));
      await page.goto(url);
      return page;
    },
    async close() {
      await context.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
