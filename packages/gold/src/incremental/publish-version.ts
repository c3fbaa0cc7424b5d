/**
 * A new gold version from gold's state, written without rewriting what did not change.
 *
 *   <lake>/gold-versions/<commit>/<table>/part-<seq>[-full].parquet
 *
 * The per-entity tables (actor_metrics, repo_metrics, org_metrics) are keyed tables (see core's
 * keyed-files.ts): the new version hard-links the previous version's live files and adds one delta
 * with the rows of the groups this commit changed, or — when the deltas have grown, or a group lost
 * its last event — one full file. The small tables (event_type_metrics, daily_summary) are written
 * whole. The folder is complete before it is published: `<lake>/gold` switches to it in one rename.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { goldActorMetrics, goldDailySummary, goldEventTypeMetrics, goldOrgMetrics, goldRepoMetrics, type TableDecl } from '@ghlake/core';
import {
  entityStateTable,
  keyedFileName,
  listKeyedFiles,
  liveKeyedFiles,
  queryNumber,
  queryRows,
  runSql,
  shouldCompact,
  sqlIdent,
  sqlString,
  typedSelectList,
  type OpenDuckDB,
} from '@ghlake/core/duckdb';
import { GROUPS, entityAttributesRelation, type GroupSpec } from './apply-changes.js';
import { writeDailyTables } from './daily-tables.js';
import { GOLD_DAILY, GOLD_TYPE } from './state-tables.js';

export interface GoldTableResult {
  table: string;
  /** Rows of the table in this version. */
  rows: number;
  /** Bytes written for this version (new files only). */
  bytes: number;
  /** Files making the table in this version. */
  files: string[];
  /** Rows this version wrote (the delta, or every row when written whole). */
  written: number;
  /** Written whole this time. */
  full: boolean;
}

const KEYED: readonly { table: TableDecl; group: string }[] = [
  { table: goldActorMetrics, group: 'actor' },
  { table: goldRepoMetrics, group: 'repo' },
  { table: goldOrgMetrics, group: 'org' },
];

const IS_BOT = 'CASE any_bot WHEN 1 THEN TRUE WHEN 0 THEN FALSE END';

/** The gold table's rows for the groups in `rows` (a relation with the state's columns). */
async function groupRows(db: OpenDuckDB, table: TableDecl, g: GroupSpec, rows: string, window: { from: number; to: number } | undefined): Promise<string> {
  const id = sqlIdent(g.id);
  const overrides: Record<string, string> = g.bot ? { is_bot: IS_BOT } : {};
  if (!g.entity) return `SELECT ${typedSelectList(table, { overrides })} FROM ${rows} ORDER BY ${id}`;
  const attributes = window ? await entityAttributesRelation(db, g.entity, window.from, window.to, rows) : `(SELECT * FROM ${entityStateTable(g.entity).name})`;
  const cols = g.entity.entity.columns.filter((c) => c.name !== g.id && table.columns.some((t) => t.name === c.name)).map((c) => `a.${sqlIdent(c.name)}`);
  return `SELECT ${typedSelectList(table, { overrides })} FROM (SELECT s.*, ${cols.join(', ')} FROM ${rows} s LEFT JOIN ${attributes} a ON a.${id} = s.${id}) ORDER BY ${id}`;
}

async function copyTo(db: OpenDuckDB, select: string, file: string, doing: string): Promise<{ rows: number; bytes: number }> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await runSql(db.connection, `COPY (${select}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION snappy)`, doing);
  const rows = await queryNumber(db.connection, `SELECT num_rows FROM parquet_file_metadata(${sqlString(file)})`);
  return { rows, bytes: (await fs.stat(file)).size };
}

/**
 * Write version `dir` (a temporary folder) for gold commit `commit`. `previous`: the published
 * version's folder (undefined: none yet). `window`: the silver commits applied (undefined: a rebuild,
 * every table written whole from the state).
 */
export async function writeGoldVersion(
  db: OpenDuckDB,
  lake: string,
  dir: string,
  commit: number,
  previous: string | undefined,
  window: { from: number; to: number } | undefined,
): Promise<GoldTableResult[]> {
  const out: GoldTableResult[] = [];
  for (const { table, group } of KEYED) {
    const g = GROUPS.find((x) => x.name === group)!;
    const tableDir = path.join(dir, table.name);
    await fs.mkdir(tableDir, { recursive: true });
    const { live } = previous ? liveKeyedFiles(await listKeyedFiles(path.join(previous, table.name))) : { live: [] };
    const total = await queryNumber(db.connection, `SELECT count(*) FROM ${g.state}`);
    const touched = window ? await queryNumber(db.connection, `SELECT count(*) FROM g_touched_${g.name}`) : total;
    const deleted = window ? await queryNumber(db.connection, `SELECT count(*) FROM g_deleted_${g.name}`) : 0;
    const deltas = live.filter((f) => !f.full);
    const deltaRows = deltas.length
      ? Number(
          (await queryRows(db.connection, `SELECT sum(num_rows) AS n FROM parquet_file_metadata([${deltas.map((d) => sqlString(d.path)).join(', ')}])`))[0]
            ?.n ?? 0,
        )
      : 0;
    const full =
      !window ||
      deleted > 0 ||
      !live[0]?.full ||
      shouldCompact({ fullRows: total - touched, deltaRows: deltaRows + touched, deltaFiles: deltas.length + (touched ? 1 : 0) });
    const files: string[] = [];
    let bytes = 0;
    let written = 0;
    if (!full) {
      for (const f of live) {
        await fs.link(f.path, path.join(tableDir, f.name));
        files.push(f.name);
      }
    }
    if (full || touched > 0) {
      const name = keyedFileName(commit, full);
      const select = await groupRows(db, table, g, full ? g.state : `g_touched_${g.name}`, full ? undefined : window);
      const w = await copyTo(db, select, path.join(tableDir, name), `writing gold.${table.name}`);
      bytes += w.bytes;
      written = w.rows;
      files.push(name);
    }
    out.push({ table: table.name, rows: total, bytes, files, written, full });
  }
  const wholeTables: [TableDecl, string][] = [
    [
      goldEventTypeMetrics,
      `SELECT ${typedSelectList(goldEventTypeMetrics, { overrides: { event_share: 'CAST(event_count AS DOUBLE) / SUM(event_count) OVER ()' } })} FROM ${GOLD_TYPE.name} ORDER BY event_type`,
    ],
    [
      goldDailySummary,
      `SELECT ${typedSelectList(goldDailySummary, { overrides: { day: 'CAST(hour_bucket AS DATE)' } })} FROM ${GOLD_DAILY.name} ORDER BY hour_bucket`,
    ],
  ];
  for (const [table, select] of wholeTables) {
    const name = keyedFileName(commit, true);
    const w = await copyTo(db, select, path.join(dir, table.name, name), `writing gold.${table.name}`);
    out.push({ table: table.name, rows: w.rows, bytes: w.bytes, files: [name], written: w.rows, full: true });
  }
  out.push(...(await writeDailyTables(db, lake, dir, commit, previous)));
  return out;
}

/** Version folder names: the gold commit, zero-padded, so they sort in commit order. */
export const goldVersionId = (commit: number): string => String(commit).padStart(10, '0');
