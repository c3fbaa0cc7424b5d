/**
 * `writeReport`: the runner behind `ghlake report` (and the report at the end of `ghlake run`).
 * Runs the report's SQL over the warehouse, renders one self-contained HTML file and writes it
 * under a temporary name, renamed into place when complete. Pure runner: no logging, no env.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '@ghlake/core';
import { collectReportData, type ReportData, type ReportInput } from './report-data.js';
import { renderReportHtml } from './render-html.js';

export interface ReportConfig extends ReportInput {
  /** Where the HTML goes (its folder is created). */
  out: string;
}

export interface ReportResult {
  path: string;
  bytes: number;
  /** Rows per dataset. */
  datasets: Record<string, number>;
  ms: number;
  data: ReportData;
}

export async function writeReport(config: ReportConfig): Promise<ReportResult> {
  const started = performance.now();
  const data = await collectReportData(config);
  const html = renderReportHtml(data);
  const out = path.resolve(config.out);
  await fs.mkdir(path.dirname(out), { recursive: true });
  await writeFileAtomic(out, html);
  return {
    path: out,
    bytes: Buffer.byteLength(html),
    datasets: Object.fromEntries(data.datasets.map((d) => [d.name, d.rows.length])),
    ms: Math.round(performance.now() - started),
    data,
  };
}
