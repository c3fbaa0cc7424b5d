/**
 * What `ghlake upload` publishes: the data files of the four layers and nothing else.
 *   raw: every downloaded hour (their `.meta.json` records stay local)
 *   bronze, silver: every hour partition's `part-*.parquet`
 *   (what a data file is, is core's layout.ts isDataFileName)
 *   keyed tables (silver/actors|repositories|organizations, every gold table): the LIVE files only —
 *     the newest `part-<seq>-full.parquet` and the deltas after it (core's keyed-files.ts); the
 *     obsolete files a compaction left for one more commit are not published
 *   gold: the tables of the published local version (`<lake>/gold -> gold-versions/<id>`), resolved
 *     once so every gold file comes from the same version even if gold is swapped meanwhile
 * Skipped: temporary files of an unfinished write (`.tmp-*`, core fs-atomic), `_state/`,
 * `warehouse.duckdb`, DuckDB spill folders, `gold-versions/` itself and anything else outside the
 * four layers.
 *
 * Two ways to find them: `listLakeFiles` walks the whole lake (a full upload), `changedLakeFiles`
 * looks only at the partitions of the given hours plus the keyed tables' folders (an incremental
 * upload: a few stats per new hour, a few folder listings).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  ALL_TABLES,
  ENTITY_RULES,
  goldLinkPath,
  goldVersionsDir,
  isDataFileName,
  layerDir,
  isTempPath,
  partitionFile,
  rawPath,
  type HourKey,
} from '@ghlake/core';
import { listKeyedFiles, liveKeyedFiles } from '@ghlake/core/duckdb';

export type LakeLayer = 'raw' | 'bronze' | 'silver' | 'gold';
const LAYERS: readonly LakeLayer[] = ['raw', 'bronze', 'silver', 'gold'];

export interface LakeFile {
  /** Absolute path on disk. */
  path: string;
  /** Path below the lake in POSIX form: `silver/events/date=2015-01-01/hour=15/part-0.parquet`. */
  rel: string;
  layer: LakeLayer;
  size: number;
  mtimeMs: number;
}

export interface KeyedLakeFile extends LakeFile {
  seq: number;
  full: boolean;
}

/** A keyed table as the lake holds it now: its folder (`silver/actors`, `gold/actor_metrics`) and live files, oldest first. */
export interface KeyedLakeTable {
  dir: string;
  live: KeyedLakeFile[];
}

export interface GoldSnapshot {
  /** The local version `<lake>/gold` points at (`0000000012`); undefined when `gold` is a plain folder. */
  version: string | undefined;
  tables: KeyedLakeTable[];
  /** Files in gold table folders without keyed names (gold written by an earlier ghlake). */
  unkeyed: LakeFile[];
}

export interface LakeListing {
  /** Raw hours and hour partitions. */
  files: LakeFile[];
  /** The silver entity tables. */
  keyed: KeyedLakeTable[];
  gold: GoldSnapshot | undefined;
  /** Files inside the layers that are not data (temp files, .meta.json, obsolete keyed files, stray files). */
  ignored: number;
}

const HOUR_TABLES = ALL_TABLES.filter((t) => t.partitioning === 'hour' && (t.layer === 'bronze' || t.layer === 'silver'));
/** Folders of the silver keyed tables, relative to the lake. */
export const SILVER_KEYED_DIRS: readonly string[] = ENTITY_RULES.map((r) => `silver/${r.entity.name}`);

const posix = (p: string) => p.split(path.sep).join('/');

async function statFile(p: string): Promise<{ size: number; mtimeMs: number } | undefined> {
  const st = await fs.stat(p).catch(() => undefined);
  return st?.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;
}

async function walk(dir: string, layer: LakeLayer, relDir: string, out: LakeListing, skip: ReadonlySet<string>): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    const rel = `${relDir}/${entry.name}`;
    if (skip.has(rel)) continue;
    // A temp directory (e.g. a half-built version) is skipped whole.
    if (isTempPath(entry.name)) {
      out.ignored++;
      continue;
    }
    let kind: 'dir' | 'file' | 'other' = entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : 'other';
    let st: import('node:fs').Stats | undefined;
    if (entry.isSymbolicLink() || kind === 'file') {
      st = await fs.stat(full).catch(() => undefined); // a dangling link is ignored
      kind = st === undefined ? 'other' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
    }
    if (kind === 'dir') await walk(full, layer, rel, out, skip);
    else if (kind === 'file' && isDataFileName(layer, entry.name)) out.files.push({ path: full, rel, layer, size: st!.size, mtimeMs: st!.mtimeMs });
    else out.ignored++;
  }
}

/** A keyed table's live files with their sizes (files a commit removes meanwhile are skipped). */
async function keyedTable(dirAbs: string, relDir: string, layer: LakeLayer): Promise<{ table: KeyedLakeTable; obsolete: number }> {
  const { live, obsolete } = liveKeyedFiles(await listKeyedFiles(dirAbs));
  const files: KeyedLakeFile[] = [];
  for (const f of live) {
    const st = await statFile(f.path);
    if (st) files.push({ path: f.path, rel: `${relDir}/${f.name}`, layer, seq: f.seq, full: f.full, ...st });
  }
  return { table: { dir: relDir, live: files }, obsolete: obsolete.length };
}

/** The silver entity tables' live files. */
export async function silverKeyedTables(lake: string): Promise<{ tables: KeyedLakeTable[]; obsolete: number }> {
  const tables: KeyedLakeTable[] = [];
  let obsolete = 0;
  for (const rel of SILVER_KEYED_DIRS) {
    const t = await keyedTable(path.join(lake, rel), rel, 'silver');
    if (t.table.live.length > 0) tables.push(t.table);
    obsolete += t.obsolete;
  }
  return { tables, obsolete };
}

/** The published gold: the version `<lake>/gold` points at and each table's files. Undefined without gold. */
export async function goldSnapshot(lake: string): Promise<GoldSnapshot | undefined> {
  const link = goldLinkPath(lake);
  let real: string;
  try {
    // Resolved once: every gold file comes from the same version even if gold is swapped meanwhile.
    real = await fs.realpath(link);
  } catch {
    return undefined;
  }
  const versions = await fs.realpath(goldVersionsDir(lake)).catch(() => undefined);
  const version = versions !== undefined && path.dirname(real) === versions ? path.basename(real) : undefined;
  const entries = await fs.readdir(real, { withFileTypes: true }).catch(() => []);
  const tables: KeyedLakeTable[] = [];
  const unkeyed: LakeFile[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (!entry.isDirectory() || isTempPath(entry.name)) continue;
    const dirAbs = path.join(real, entry.name);
    const relDir = `gold/${entry.name}`;
    const { table } = await keyedTable(dirAbs, relDir, 'gold');
    if (table.live.length > 0) tables.push(table);
    const keyedNames = new Set((await listKeyedFiles(dirAbs)).map((f) => f.name));
    for (const name of (await fs.readdir(dirAbs)).sort()) {
      if (keyedNames.has(name) || !isDataFileName('gold', name)) continue;
      const st = await statFile(path.join(dirAbs, name));
      if (st) unkeyed.push({ path: path.join(dirAbs, name), rel: `${relDir}/${name}`, layer: 'gold', ...st });
    }
  }
  if (tables.length === 0 && unkeyed.length === 0) return undefined;
  return { version, tables, unkeyed };
}

/** Every data file of the lake: a full walk of raw, bronze and silver's partitions, plus the keyed tables and gold. */
export async function listLakeFiles(lake: string): Promise<LakeListing> {
  const out: LakeListing = { files: [], keyed: [], gold: undefined, ignored: 0 };
  const skip = new Set(SILVER_KEYED_DIRS);
  for (const layer of LAYERS) {
    if (layer === 'gold') continue;
    await walk(layerDir(lake, layer), layer, layer, out, skip);
  }
  const silver = await silverKeyedTables(lake);
  out.keyed = silver.tables;
  out.ignored += silver.obsolete;
  out.gold = await goldSnapshot(lake);
  return out;
}

/** The raw file and the hour partitions of `hours` that exist, plus the keyed tables and gold: what an incremental upload looks at. */
export async function changedLakeFiles(lake: string, hours: readonly HourKey[]): Promise<LakeListing> {
  const out: LakeListing = { files: [], keyed: [], gold: undefined, ignored: 0 };
  for (const hour of hours) {
    const candidates: { abs: string; layer: LakeLayer }[] = [{ abs: rawPath(lake, hour), layer: 'raw' }];
    for (const t of HOUR_TABLES) candidates.push({ abs: partitionFile(lake, t.layer as 'bronze' | 'silver', t.name, hour), layer: t.layer as LakeLayer });
    for (const { abs, layer } of candidates) {
      const st = await statFile(abs);
      if (st) out.files.push({ path: abs, rel: posix(path.relative(lake, abs)), layer, ...st });
    }
  }
  const silver = await silverKeyedTables(lake);
  out.keyed = silver.tables;
  out.gold = await goldSnapshot(lake);
  return out;
}

/** The folder of a keyed table's objects relative to the lake, from a file's rel path (`gold/actor_metrics/part-...` → `gold/actor_metrics`). */
export function keyedDirOf(rel: string): string {
  return rel.slice(0, rel.lastIndexOf('/'));
}
