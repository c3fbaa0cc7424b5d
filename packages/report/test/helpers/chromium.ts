/**
 * Debian's Chromium driven by playwright-core — never a browser that Playwright downloads. Used by
 * the browser tests, the chart-library benchmark and the screenshot script.
 *
 * Every launch gets a fresh, empty user-data-dir (removed on close) and the flags that keep a
 * headless Chromium off the network on its own (no background fetches, component updates, sync
 * or first-run pings); pages are then opened with the network blocked and every request recorded.
 */
import { existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.GHLAKE_CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Why the browser tests cannot run here, or undefined when Chromium is installed. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM_PATH)
    ? undefined
    : `no Chromium at ${CHROMIUM_PATH}: install Debian's (apt-get install -y chromium; .ci/run does) or set GHLAKE_CHROMIUM_PATH`;
}

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(options: { viewport?: { width: number; height: number } } = {}): Promise<Chromium> {
  const userDataDir = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: options.viewport ?? { width: 1280, height: 900 },
    offline: true,
  });
  return {
    context,
    async close() {
      await context.close();
      await fs.rm(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface OpenedPage {
  page: Page;
  /** Every request the page made, the document itself included (url, and whether it was let through). */
  requests: { url: string; allowed: boolean }[];
  /** Console messages of type error, and uncaught page errors. */
  errors: string[];
  /** Wall time from navigation start to the load event, ms. */
  loadMs: number;
}

/**
 * Open a local HTML file with the network blocked: only the file itself may load; any other
 * request is aborted and recorded.
 */
export async function openFile(chromium: Chromium, file: string): Promise<OpenedPage> {
  const page = await chromium.context.newPage();
  const url = pathToFileURL(path.resolve(file)).href;
  const requests: OpenedPage['requests'] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push({ url: r.url(), allowed: r.url() === url }));
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort('blockedbyclient')));
  const started = Date.now();
  await page.goto(url, { waitUntil: 'load' });
  return { page, requests, errors, loadMs: Date.now() - started };
}
