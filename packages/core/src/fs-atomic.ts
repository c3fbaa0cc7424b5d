/**
 * Crash safety by construction: everything is written under a temporary name in the
 * destination directory and renamed into place only when complete. A SIGKILL leaves at
 * most a `.tmp-*` file, which the next run removes. Readers must not pick it up: DuckDB's `*`
 * DOES match names starting with a dot, so every reader globs the committed names only
 * (`part-*.parquet`, see layout.ts `partitionGlob`), never `*.parquet`.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export const TMP_MARK = '.tmp-';

/** A unique temporary sibling of `target`, e.g. `dir/.tmp-ab12cd-part-0.parquet`. */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `${TMP_MARK}${randomBytes(6).toString('hex')}-${path.basename(target)}`);
}

export function isTempPath(p: string): boolean {
  return path.basename(p).startsWith(TMP_MARK);
}

/** Flush a file's contents to disk. */
export async function fsyncFile(p: string): Promise<void> {
  const handle = await fs.open(p, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flush a folder's entries (a rename into it) to disk; best effort: some filesystems refuse fsync on folders, and the rename is atomic anyway. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}

/** fsync `tmp`, rename it onto `target`, fsync the directory. */
export async function commitFile(tmp: string, target: string): Promise<void> {
  await fsyncFile(tmp);
  await fs.rename(tmp, target);
  await fsyncDir(path.dirname(target));
}

/** Files under `<lake>/_state` (lock, manifest, run records) may name hosts, commands and paths: owner only. */
export const STATE_FILE_MODE = 0o600;
export const STATE_DIR_MODE = 0o700;

/** Write a whole file atomically (`mode`: the new file's permission bits, default 0666 less the umask). */
export async function writeFileAtomic(target: string, data: string | Uint8Array, options: { mode?: number } = {}): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true, ...(options.mode === STATE_FILE_MODE ? { mode: STATE_DIR_MODE } : {}) });
  const tmp = tempPathFor(target);
  try {
    await fs.writeFile(tmp, data, options.mode === undefined ? {} : { mode: options.mode });
    await commitFile(tmp, target);
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
  }
}

/** Remove leftover temporary files below `dir` (what a killed run left behind). Returns how many. */
export async function removeTempFiles(dir: string): Promise<number> {
  let removed = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith(TMP_MARK)) {
      await fs.rm(full, { recursive: true, force: true });
      removed++;
    } else if (entry.isDirectory()) {
      removed += await removeTempFiles(full);
    }
  }
  return removed;
}

/** Remove leftover temporary files directly inside `dir` (not below it). Returns how many. */
export async function removeTempFilesHere(dir: string): Promise<number> {
  let removed = 0;
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.name.startsWith(TMP_MARK)) continue;
    await fs.rm(path.join(dir, entry.name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
