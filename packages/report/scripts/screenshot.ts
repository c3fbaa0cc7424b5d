/**
 * A full-page screenshot of a report, for the docs, in Debian's headless Chromium with the network
 * blocked (the page is drawn exactly as a reader's browser draws it from disk).
 *
 *   npm run screenshot -w @ghlake/report -- <report.html> <out.png> [width]
 */
import path from 'node:path';
import { chromiumMissing, launchChromium, openFile } from '../test/helpers/chromium.js';

const [file, png, width] = process.argv.slice(2);
// `npm run -w` runs in the package's folder: paths are the caller's (npm's INIT_CWD)
const cwd = process.env.INIT_CWD ?? process.cwd();
if (!file || !png) {
  console.error('usage: npm run screenshot -w @ghlake/report -- <report.html> <out.png> [width]');
  process.exit(2);
}
const missing = chromiumMissing();
if (missing) {
  console.error(missing);
  process.exit(1);
}
const chromium = await launchChromium({ viewport: { width: Number(width ?? 1280), height: 900 } });
try {
  const opened = await openFile(chromium, path.resolve(cwd, file));
  await opened.page.waitForSelector('main[data-ready="true"]', { timeout: 60_000 });
  if (opened.errors.length) throw new Error(`the page logged errors: ${opened.errors.join('; ')}`);
  await opened.page.screenshot({ path: path.resolve(cwd, png), fullPage: true });
  console.log(path.resolve(cwd, png));
} finally {
  await chromium.close();
}
