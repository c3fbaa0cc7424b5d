/**
 * Gold is replaced as a whole, atomically: a reader never sees half-old, half-new gold.
 *
 *   <lake>/gold-versions/.tmp-<id>/   a build in progress (layout.ts goldBuildingDir)
 *   <lake>/gold-versions/<id>/        a complete build, renamed when done (goldVersionDir)
 *   <lake>/gold -> gold-versions/<id> the published one, a relative symlink (goldLinkPath, goldLinkTarget)
 *
 * Publishing = creating a temporary symlink and renaming it onto `<lake>/gold` (rename(2) of a
 * symlink is atomic). `read_parquet('<lake>/gold/actor_metrics/*.parquet')` goes through the
 * link. The previously published version is kept, so a reader that resolved the link just
 * before the swap can finish; older versions are deleted.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TMP_MARK, goldLinkPath, goldLinkTarget, goldVersionDir, goldVersionsDir, tempPathFor, fsyncDir } from '@ghlake/core';

/** The id the `<lake>/gold` link points at, or undefined (no gold yet, or a plain directory). */
export async function currentGoldVersion(lake: string): Promise<string | undefined> {
  try {
    const target = await fs.readlink(goldLinkPath(lake));
    return path.basename(target);
  } catch {
    return undefined;
  }
}

/**
 * Point `<lake>/gold` at version `id` atomically. Returns the version it pointed at before.
 * A plain `<lake>/gold` directory (gold written by something else) is first moved into
 * gold-versions as `legacy-<id>`, the one moment gold is briefly absent.
 */
export async function publishGoldVersion(lake: string, id: string): Promise<string | undefined> {
  const link = goldLinkPath(lake);
  const previous = await currentGoldVersion(lake);
  const stat = await fs.lstat(link).catch(() => undefined);
  if (stat && !stat.isSymbolicLink()) {
    await fs.rename(link, goldVersionDir(lake, `legacy-${id}`));
  }
  const tmpLink = tempPathFor(link);
  // Relative target: the lake folder can be moved or mounted elsewhere and the link still works.
  // Windows: a junction needs no privilege but an absolute target.
  if (process.platform === 'win32') await fs.symlink(path.resolve(goldVersionDir(lake, id)), tmpLink, 'junction');
  else await fs.symlink(goldLinkTarget(id), tmpLink, 'dir');
  try {
    await fs.rename(tmpLink, link);
  } catch (error) {
    await fs.rm(tmpLink, { force: true });
    throw error;
  }
  await fsyncDir(lake);
  return previous;
}

/** Abandoned builds older than this are removed (a build in progress is younger). */
const STALE_BUILD_MS = 6 * 3_600_000;

/** Delete every version except `keep`, and abandoned builds. Returns the ids removed. */
export async function pruneGoldVersions(lake: string, keep: readonly (string | undefined)[], now: number = Date.now()): Promise<string[]> {
  const dir = goldVersionsDir(lake);
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || keep.includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith(TMP_MARK)) {
      const { mtimeMs } = await fs.stat(full);
      if (now - mtimeMs < STALE_BUILD_MS) continue;
    }
    await fs.rm(full, { recursive: true, force: true });
    removed.push(entry.name);
  }
  return removed;
}
