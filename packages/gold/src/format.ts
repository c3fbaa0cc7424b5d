/**
 * Printing query results: an aligned text table (numbers right-aligned, NULL shown as NULL),
 * RFC 4180 CSV (NULL as an empty field) and JSON (one array of row objects). Pure functions
 * over column descriptions and rows; the command streams their output.
 */
import type { QueryColumn, QueryValue } from './query.js';

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;
/** Cells longer than this are cut in table output (a payload JSON can be 100 KB). */
export const MAX_CELL_WIDTH = 60;

export function isNumericType(type: string): boolean {
  return NUMERIC.test(type);
}

function text(value: QueryValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function cell(value: QueryValue): string {
  const t = text(value).replace(/\r?\n/g, '\\n').replace(/\t/g, ' ');
  return t.length > MAX_CELL_WIDTH ? `${t.slice(0, MAX_CELL_WIDTH - 1)}…` : t;
}

/** Aligned table: header, a rule, the rows. `shown`/`total` add a footer line. */
export function formatTable(columns: readonly QueryColumn[], rows: readonly QueryValue[][], total: number = rows.length): string {
  const cells = rows.map((r) => r.map(cell));
  const widths = columns.map((c, i) => Math.max(c.name.length, ...cells.map((r) => r[i]!.length)));
  const right = columns.map((c) => isNumericType(c.type));
  const line = (values: string[], header = false) =>
    values
      .map((v, i) => (right[i] && !header ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [
    line(
      columns.map((c) => c.name),
      true,
    ),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map((r) => line(r)),
  ];
  const noun = total === 1 ? 'row' : 'rows';
  out.push(total > rows.length ? `(${rows.length} of ${total} ${noun} shown; raise --max-rows or use --format csv)` : `(${total} ${noun})`);
  return `${out.join('\n')}\n`;
}

function csvField(value: QueryValue): string {
  if (value === null) return '';
  const t = text(value);
  return /[",\r\n]/.test(t) ? `"${t.replaceAll('"', '""')}"` : t;
}

export function csvHeader(columns: readonly QueryColumn[]): string {
  return `${columns.map((c) => csvField(c.name)).join(',')}\n`;
}

export function csvRows(rows: readonly QueryValue[][]): string {
  return rows.map((r) => `${r.map(csvField).join(',')}\n`).join('');
}

/** Row objects keyed by column name (later duplicates of a name get `name_2`, ...). */
export function jsonKeys(columns: readonly QueryColumn[]): string[] {
  const seen = new Map<string, number>();
  return columns.map((c) => {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    return n === 1 ? c.name : `${c.name}_${n}`;
  });
}

export function jsonRow(keys: readonly string[], row: readonly QueryValue[]): string {
  return JSON.stringify(Object.fromEntries(keys.map((k, i) => [k, row[i] ?? null])));
}
