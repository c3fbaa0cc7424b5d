/**
 * Cross-hour event dedup. GH Archive can hold the same event in two hour files (and, rarely,
 * twice in one), so silver `events` and `payload_details` — one file per SOURCE hour — can
 * hold a key (event_id, event_type, created_at) more than once over the lake. This keeps the
 * copy in the EARLIEST source hour (the first copy within that file) and removes the others.
 *
 * Why this rule: it depends only on which partitions exist, never on the order they were
 * processed in, so hours 6–11 then 0–5 end exactly like 0–11 at once, and reprocessing an hour
 * (its partition rewritten with its duplicates back) is corrected by the next run.
 *
 * How, without loading events into memory: one DuckDB aggregate over the key columns of all
 * partitions finds the keys with more than one copy (DuckDB spills past its memory limit);
 * only the partitions that hold a losing copy are rewritten, each by one COPY to a temporary
 * file beside it and a rename. Rows are removed by KEY, not by row position, so a partition
 * that changed since the scan is still filtered correctly.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { commitFile, hourToMs, tempPathFor, type HourKey, type TableDecl } from '@ghlake/core';
import { promises as fs } from 'node:fs';
import { queryNumber, queryRows, runSql } from '@ghlake/core/duckdb';
import { listPartitionFiles, type PartitionFile } from '@ghlake/core/duckdb';
import { keyEquals, keyList, readParquet, sqlIdent, sqlString, typedSelectList } from '@ghlake/core/duckdb';

export interface FullDedupResult {
  table: string;
  /** Partition files scanned. */
  partitions: number;
  /** Rows over all partitions after dedup. */
  rows: number;
  /** Keys that had more than one copy. */
  duplicateKeys: number;
  rowsRemoved: number;
  /** Source hours whose partition file was rewritten. */
  rewrittenHours: HourKey[];
}

/** Hours since the epoch of a source hour: orders partitions, computed from hive columns in SQL. */
const SOURCE_HOUR_SQL = `((CAST("date" AS DATE) - DATE '1970-01-01') * 24 + "hour")`;
const hourIndex = (hour: HourKey): number => hourToMs(hour) / 3_600_000;

import { DEDUP_METADATA_KEY } from '@ghlake/core/duckdb';
export { DEDUP_METADATA_KEY };

/**
 * `setAside`: a state table (declared columns + source_hour + source_row) that receives the copies
 * removed because an earlier hour keeps them (silver's rebuild keeps them, as the incremental path
 * does); without it they are dropped (the reference recomputation of the tests).
 */
export async function dedupPartitionedTable(connection: DuckDBConnection, lake: string, table: TableDecl, setAside?: string): Promise<FullDedupResult> {
  const files = await listPartitionFiles(lake, table);
  const result: FullDedupResult = { table: table.name, partitions: files.length, rows: 0, duplicateKeys: 0, rowsRemoved: 0, rewrittenHours: [] };
  if (files.length === 0) return result;

  const all = readParquet(
    files.map((f) => f.file),
    { hive: true, filename: true },
  );
  const keys = keyList(table);
  const dupKeys = `dup_keys_${table.name}`;
  await runSql(
    connection,
    `CREATE OR REPLACE TEMP TABLE ${dupKeys} AS
       SELECT ${keys}, min(${SOURCE_HOUR_SQL}) AS keep_hour
       FROM ${all}
       GROUP BY ${keys}
       HAVING count(*) > 1`,
    `finding duplicate ${table.name} keys`,
  );
  result.duplicateKeys = await queryNumber(connection, `SELECT count(*) FROM ${dupKeys}`);

  if (result.duplicateKeys > 0) {
    // A file loses rows when it holds a duplicated key it is not the keeper of (all its copies
    // go), or holds a key more than once (all but the first go).
    const losers = await queryRows(
      connection,
      `SELECT filename, sum(CASE WHEN source_hour > keep_hour THEN copies ELSE copies - 1 END) AS removed, max(copies) > 1 AS repeats_in_file
       FROM (
         SELECT r.filename, ${SOURCE_HOUR_SQL} AS source_hour, d.keep_hour, count(*) AS copies
         FROM ${all} r JOIN ${dupKeys} d ON ${keyEquals(table, 'r', 'd')}
         GROUP BY r.filename, source_hour, d.keep_hour, ${keyList(table, 'r')}
       ) WHERE source_hour > keep_hour OR copies > 1
       GROUP BY filename`,
      `finding ${table.name} partitions with duplicates`,
    );
    const byFile = new Map(files.map((f) => [f.file, f]));
    for (const loser of losers) {
      const partition = byFile.get(String(loser.filename));
      if (!partition) continue;
      await rewriteWithoutDuplicates(connection, table, partition, dupKeys, Number(loser.removed), loser.repeats_in_file === true, setAside);
      result.rowsRemoved += Number(loser.removed);
      result.rewrittenHours.push(partition.hour);
    }
    result.rewrittenHours.sort((a, b) => hourIndex(a) - hourIndex(b));
  }
  await runSql(connection, `DROP TABLE IF EXISTS ${dupKeys}`);
  result.rows = await queryNumber(connection, `SELECT count(*) FROM ${readParquet(files.map((f) => f.file))}`, `counting ${table.name}`);
  return result;
}

/**
 * Rewrite one partition file keeping, per key, only a copy this hour is the keeper of: one COPY
 * (anti-join against the duplicate keys; a window only when the file repeats a key itself), in
 * the file's original row order, to a temporary file that then replaces the partition.
 */
async function rewriteWithoutDuplicates(
  connection: DuckDBConnection,
  table: TableDecl,
  partition: PartitionFile,
  dupKeys: string,
  removed: number,
  repeatsInFile: boolean,
  setAside: string | undefined,
): Promise<void> {
  const source = readParquet(partition.file, { fileRowNumber: true });
  const rows = repeatsInFile
    ? `(SELECT *, row_number() OVER (PARTITION BY ${keyList(table)} ORDER BY file_row_number) AS copy_in_file FROM ${source})`
    : `(SELECT *, 1 AS copy_in_file FROM ${source})`;
  const metadata = await keptMetadata(connection, partition.file);
  metadata[DEDUP_METADATA_KEY] = String(removed + Number(metadata[DEDUP_METADATA_KEY] ?? 0));
  const tmp = tempPathFor(partition.file);
  const keptElsewhere = `EXISTS (SELECT 1 FROM ${dupKeys} d WHERE ${keyEquals(table, 'd', 'p')} AND d.keep_hour < ${hourIndex(partition.hour)})`;
  if (setAside) {
    await runSql(
      connection,
      `INSERT INTO ${setAside} SELECT ${typedSelectList(table, { qualifier: 'p' })}, ${hourIndex(partition.hour)}, p.file_row_number FROM ${rows} p WHERE p.copy_in_file = 1 AND ${keptElsewhere}`,
      `setting aside copies of ${partition.file}`,
    );
  }
  try {
    await runSql(
      connection,
      `COPY (
         SELECT ${typedSelectList(table, { qualifier: 'p' })} FROM ${rows} p
         WHERE p.copy_in_file = 1
           AND NOT ${keptElsewhere}
         ORDER BY p.file_row_number
       ) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION snappy, KV_METADATA {${Object.entries(metadata)
         .map(([k, v]) => `${sqlIdent(k)}: ${sqlString(v)}`)
         .join(', ')}})`,
      `rewriting ${partition.file}`,
    );
    await commitFile(tmp, partition.file);
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
  }
}

/** The file's key/value metadata (the transform's line accounting), carried over into the rewrite. */
async function keptMetadata(connection: DuckDBConnection, file: string): Promise<Record<string, string>> {
  const rows = await queryRows(connection, `SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${sqlString(file)})`);
  const out: Record<string, string> = {};
  for (const row of rows) if (typeof row.k === 'string' && typeof row.v === 'string') out[row.k] = row.v;
  return out;
}
