/**
 * What `ghlake upload` publishes: the data files of the four layers and nothing else.
 *   raw: every `.json.gz` (downloaded hours; their `.meta.json` records stay local)
 *   bronze, silver, gold: every `.parquet`
 * Skipped: temporary files of an unfinished write (`.tmp-*`, core fs-atomic), `_state/`
 * (manifest, lock, run records), `warehouse.duckdb`, DuckDB spill folders and anything else
 * outside the four layers. `gold` may be a symlink to the current local gold version: it is
 * followed, while the folder of local versions beside it is not uploaded.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isTempPath } from '@ghlake/core';

export type LakeLayer = 'raw' | 'bronze' | 'silver' | 'gold';
const LAYERS: readonly LakeLayer[] = ['raw', 'bronze', 'silver', 'gold'];

export interface LakeFile {
  /** Absolute path on disk. */
  path: string;
  /** Path below the lake in POSIX form: `silver/events/date=2015-01-01/hour=15/part-0.parquet`. */
  rel: string;
  layer: LakeLayer;
  size: number;
}

export interface LakeListing {
  files: LakeFile[];
  /** Files inside the layers that are not data (temp files, .meta.json, stray files). */
  ignored: number;
}

function isDataFile(layer: LakeLayer, name: string): boolean {
  if (isTempPath(name) || name.startsWith('.')) return false;
  return layer === 'raw' ? name.endsWith('.json.gz') : name.endsWith('.parquet');
}

async function walk(dir: string, layer: LakeLayer, relDir: string, out: LakeListing): Promise<void> {
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
    // A temp directory (e.g. a half-built version) is skipped whole.
    if (isTempPath(entry.name)) {
      out.ignored++;
      continue;
    }
    let kind: 'dir' | 'file' | 'other' = entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : 'other';
    let size = -1;
    if (entry.isSymbolicLink() || kind === 'file') {
      const st = await fs.stat(full).catch(() => undefined); // a dangling link is ignored
      kind = st === undefined ? 'other' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
      size = st?.size ?? -1;
    }
    if (kind === 'dir') await walk(full, layer, rel, out);
    else if (kind === 'file' && isDataFile(layer, entry.name)) out.files.push({ path: full, rel, layer, size });
    else out.ignored++;
  }
}

/** Every data file of the lake, in a stable order (layer, then path). */
export async function listLakeFiles(lake: string): Promise<LakeListing> {
  const out: LakeListing = { files: [], ignored: 0 };
  for (const layer of LAYERS) {
    // Resolve a layer symlink once (gold -> gold-versions/<id>), so every file comes from the same
    // local version even if gold is swapped while the upload runs.
    const dir = path.join(lake, layer);
    await walk(await fs.realpath(dir).catch(() => dir), layer, layer, out);
  }
  return out;
}
