/**
 * The report as one self-contained HTML file: styles, scripts and data inline. Its
 * Content-Security-Policy allows no fetch of any kind (`default-src 'none'`), so the page cannot
 * reach the network even if a script tried; it works opened from disk with no connection.
 */
import { pageAssets } from './assets.js';
import type { ReportData } from './report-data.js';

export const REPORT_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON that is safe inside a <script> element: no `</script`, no HTML comment openers, no line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

/** A script's text made safe to inline (a `</script` inside a string would end the element). */
const inlineScript = (text: string) => text.replace(/<\/(script)/gi, '<\\/$1');

export function renderReportHtml(data: ReportData): string {
  const assets = pageAssets();
  const range = data.meta.from === data.meta.to ? data.meta.from : `${data.meta.from} .. ${data.meta.to}`;
  const payload = { ...data, meta: { ...data.meta, libraries: assets.versions } };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="generator" content="ghlake report">
<title>ghlake report — ${escapeHtml(range)}</title>
<style>${assets.css}</style>
</head>
<body>
<main id="report" aria-busy="true"><p class="loading">Drawing the charts…</p></main>
<script type="application/json" id="report-data">${scriptJson(payload)}</script>
${assets.scripts.map((s) => `<script data-source="${escapeHtml(s.name)}">${inlineScript(s.text)}</script>`).join('\n')}
</body>
</html>
`;
}
