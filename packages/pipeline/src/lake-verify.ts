/**
 * `verifyLake`: re-read every file the manifest records for the hours (default: every hour the
 * lake knows) — what the per-run check (size + footer, hour-outputs.ts) cannot see. Per file:
 * - its size and footer (a small JSON: its content) against the recorded fingerprint;
 * - a Parquet file decoded whole by DuckDB (every column of every row), its row count against
 *   the count its footer declares;
 * - bronze's row counts against the hour's line accounting (events and quarantined lines).
 * Whole-lake on purpose (it is asked for explicitly); a run never does this.
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { ManifestStore, compareHours, formatCount, isTransformed, outputPlace, outputProblems, type HourKey, type HourRecord } from '@ghlake/core';
import { openDuckDB, queryRows, sqlString, type OpenDuckDB } from '@ghlake/core/duckdb';

export interface VerifiedHour {
  hour: HourKey;
  /** One line per bad file: the lake-relative path and what is wrong. */
  problems: string[];
}

export interface VerifyResult {
  lake: string;
  /** Transformed hours verified. */
  hours: number;
  /** Files re-read. */
  files: number;
  bad: VerifiedHour[];
}

/** Rows the hour's accounting says a bronze file holds (undefined: not a bronze table with a count). */
function expectedRows(rel: string, record: HourRecord): number | undefined {
  const acc = record.transform?.accounting;
  if (!acc) return undefined;
  if (rel.startsWith('bronze/events/') && rel.endsWith('.parquet')) return acc.events;
  if (rel.startsWith('bronze/quarantine/') && rel.endsWith('.parquet')) return acc.quarantined;
  return undefined;
}

async function readParquetWhole(db: OpenDuckDB, file: string): Promise<{ footerRows: number; rows: number } | { error: string }> {
  const f = sqlString(file);
  try {
    const [row] = await queryRows(
      db.connection,
      `SELECT (SELECT sum(num_rows) FROM parquet_file_metadata(${f})) AS footer_rows, count(*) AS n FROM read_parquet(${f}) WHERE hash(COLUMNS(*)) IS NOT NULL`,
    );
    return { footerRows: Number(row?.footer_rows ?? 0), rows: Number(row?.n ?? 0) };
  } catch (error) {
    return { error: (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim() };
  }
}

async function verifyFile(db: OpenDuckDB, lake: string, rel: string, record: HourRecord): Promise<string | undefined> {
  const file = (await outputPlace(lake, rel)).file;
  if (!rel.endsWith('.parquet')) {
    const text = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined; // reported by the fingerprint check
    try {
      JSON.parse(text);
      return undefined;
    } catch {
      return `${rel}: is not valid JSON`;
    }
  }
  const read = await readParquetWhole(db, file);
  if ('error' in read) return `${rel}: cannot be read (${read.error})`;
  if (read.rows !== read.footerRows) return `${rel}: ${formatCount(read.rows)} rows decoded, its footer says ${formatCount(read.footerRows)}`;
  const expected = expectedRows(rel, record);
  if (expected !== undefined && read.rows !== expected) return `${rel}: ${formatCount(read.rows)} rows, the hour's accounting says ${formatCount(expected)}`;
  return undefined;
}

export async function verifyLake(
  config: { lake: string; hours?: readonly HourKey[]; threads: number; memoryLimit: number },
  onHour?: (hour: VerifiedHour) => void,
): Promise<VerifyResult> {
  const store = await ManifestStore.open(config.lake);
  const hours = (config.hours?.length ? (await store.load(config.hours), [...config.hours]) : await store.loadAll()).sort(compareHours);
  const result: VerifyResult = { lake: config.lake, hours: 0, files: 0, bad: [] };
  // In memory, spilling outside the lake: verifying reads only (the lake may be read-only).
  const db = await openDuckDB({ memoryLimit: config.memoryLimit, threads: config.threads, tempDirectory: path.join(tmpdir(), 'ghlake-verify-duckdb') });
  try {
    for (const hour of hours) {
      const record = store.record(hour);
      if (!isTransformed(record)) continue;
      result.hours++;
      const problems = (await outputProblems(config.lake, record)).filter((p) => p !== '(no files recorded)');
      const named = new Set(problems.map((p) => p.slice(0, p.indexOf(': '))));
      for (const rel of record.transform?.files ?? []) {
        result.files++;
        if (named.has(rel)) continue;
        const problem = await verifyFile(db, config.lake, rel, record);
        if (problem) problems.push(problem);
      }
      if ((record.transform?.files ?? []).length === 0) problems.push('(no files recorded)');
      const item = { hour, problems: problems.sort() };
      if (problems.length) result.bad.push(item);
      onHour?.(item);
    }
  } finally {
    db.close();
  }
  return result;
}
