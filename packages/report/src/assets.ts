/**
 * What the report page inlines: the charting library (Observable Plot and the d3 it runs on —
 * chosen by bench/chart-libraries.ts, see docs/report.md) and the page's own script and styles.
 * Files are read once per process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ERROR_CODES, GhlakeError } from '@ghlake/core';

const require = createRequire(import.meta.url);

/** A file inside an installed package, found on disk (packages' `exports` hide their dist files). */
export function packageFile(name: string, file: string): string {
  for (const dir of require.resolve.paths(name) ?? []) {
    const candidate = path.join(dir, name, file);
    if (existsSync(candidate)) return candidate;
  }
  throw new GhlakeError(ERROR_CODES.INTERNAL, `${name}/${file} is not installed`, { hint: 'run npm ci in the ghlake folder' });
}

export function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(packageFile(name, 'package.json'), 'utf8')) as { version: string }).version;
}

export interface PageAssets {
  /** Scripts in load order: d3, then Plot, then the page. */
  scripts: { name: string; text: string }[];
  css: string;
  versions: Record<string, string>;
}

let cached: PageAssets | undefined;

/** The page's own files, read as written from src/page whether this module runs from src/ or dist/ (tsc copies no .js or .css). */
const pageFile = (name: string): URL => new URL(`../src/page/${name}`, import.meta.url);

export function pageAssets(): PageAssets {
  cached ??= {
    scripts: [
      { name: 'd3', text: readFileSync(packageFile('d3', 'dist/d3.min.js'), 'utf8') },
      { name: '@observablehq/plot', text: readFileSync(packageFile('@observablehq/plot', 'dist/plot.umd.min.js'), 'utf8') },
      { name: 'ghlake report page', text: readFileSync(pageFile('report-page.js'), 'utf8') },
    ],
    css: readFileSync(pageFile('report.css'), 'utf8'),
    versions: { d3: packageVersion('d3'), '@observablehq/plot': packageVersion('@observablehq/plot') },
  };
  return cached;
}
