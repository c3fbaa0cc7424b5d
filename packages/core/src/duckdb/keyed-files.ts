/**
 * Keyed tables published as Parquet without rewriting them whole: the entity tables
 * (`silver/actors`, ...) and the per-entity gold tables. A table's folder holds
 *
 *   part-<seq>-full.parquet   every key's row as of commit <seq> (written by a compaction)
 *   part-<seq>.parquet        a delta: the rows of the keys commit <seq> changed
 *
 * and a key's current row is the one in the file with the highest seq that holds it ("newest
 * wins"). Files older than the newest full are obsolete. A commit therefore writes only the rows
 * it changed; a compaction (when the deltas grow past a share of the full file) folds them back
 * into one full file. Readers go through `keyedRelation` (the warehouse views do), or apply the
 * rule themselves: `QUALIFY row_number() OVER (PARTITION BY key ORDER BY filename DESC) = 1`.
 *
 * Why not rewrite the table each hour: an hour touches a few ten thousand of millions of ids,
 * spread over the whole table; rewriting it would make every hourly run cost the lake's size.
 */
import path from 'node:path';
import { listDir } from '../files.js';
import type { TableDecl } from '../tables/types.js';
import { readParquet, sqlIdent, typedSelectList } from './sql.js';

const KEYED_FILE = /^part-(\d{10})(-full)?\.parquet$/;

export interface KeyedFile {
  seq: number;
  /** A compaction: holds every key. */
  full: boolean;
  name: string;
  path: string;
}

export function keyedFileName(seq: number, full: boolean): string {
  if (!Number.isInteger(seq) || seq < 0 || seq >= 1e10) throw new Error(`keyed file seq out of range: ${seq}`);
  return `part-${String(seq).padStart(10, '0')}${full ? '-full' : ''}.parquet`;
}

/** Every keyed file in `dir`, oldest first (a missing folder has none). Temporary files never match. */
export async function listKeyedFiles(dir: string): Promise<KeyedFile[]> {
  const out: KeyedFile[] = [];
  for (const name of await listDir(dir)) {
    const m = KEYED_FILE.exec(name);
    if (m) out.push({ seq: Number(m[1]), full: m[2] !== undefined, name, path: path.join(dir, name) });
  }
  return out.sort((a, b) => a.seq - b.seq || Number(a.full) - Number(b.full));
}

/** The files that make the current table (the newest full and the deltas after it) and the obsolete rest. */
export function liveKeyedFiles(files: readonly KeyedFile[]): { live: KeyedFile[]; obsolete: KeyedFile[] } {
  let start = 0;
  for (let i = files.length - 1; i >= 0; i--) {
    if (files[i]!.full) {
      start = i;
      break;
    }
  }
  return { live: files.slice(start), obsolete: files.slice(0, start) };
}

/**
 * A SQL relation of the table's current rows (declared columns and types) over its live files
 * (oldest first), or undefined when there are none. With deltas: the newest delta row of each key,
 * plus the full file's rows whose key no delta holds (an anti join on the key, not a window over
 * the whole table: the full file is read once, as a plain scan).
 */
export function keyedRelation(table: Pick<TableDecl, 'columns' | 'key'>, live: readonly KeyedFile[]): string | undefined {
  if (live.length === 0) return undefined;
  const cols = typedSelectList(table);
  const names = table.columns.map((c) => sqlIdent(c.name)).join(', ');
  const key = table.key.map(sqlIdent).join(', ');
  const full = live[0]!.full ? live[0]! : undefined;
  const deltas = full ? live.slice(1) : live;
  if (deltas.length === 0) return `(SELECT ${cols} FROM ${readParquet(full!.path)})`;
  const newest = `(SELECT ${names} FROM (SELECT ${cols}, filename AS _file FROM ${readParquet(
    deltas.map((d) => d.path),
    { filename: true },
  )}) QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY _file DESC) = 1)`;
  if (!full) return newest;
  return `(SELECT * FROM ${newest} UNION ALL (SELECT ${cols} FROM ${readParquet(full.path)} AS f WHERE (${key}) NOT IN (SELECT ${key} FROM ${newest})))`;
}

/** Rows in deltas against rows in the full file: when to compact. */
export interface KeyedTableSize {
  fullRows: number;
  deltaRows: number;
  deltaFiles: number;
}

/**
 * Compact when the deltas hold more than a quarter of the full file's rows (reads then cost at
 * most 1.25× a compacted table), or more than 48 files: amortized, a compaction costs each
 * hour's changes a few times over, whatever the table's size.
 */
export function shouldCompact(size: KeyedTableSize): boolean {
  if (size.deltaFiles === 0) return false;
  return size.deltaRows > size.fullRows / 4 || size.deltaFiles > 48;
}
