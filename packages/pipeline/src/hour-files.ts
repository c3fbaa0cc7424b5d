/**
 * "Trust the files, not just the manifest": before an hour marked transformed is skipped,
 * every partition file its transform reported must still be there — published, or (silver) still
 * staged for the next silver commit to publish.
 */
import path from 'node:path';
import { stagedPathOfPublished, isFile } from '@ghlake/core';
import type { HourRecord } from './manifest.js';

/** Lake-relative paths (forward slashes) so a manifest survives moving the lake. */
export function toLakeRelative(lake: string, file: string): string {
  return path.relative(lake, path.resolve(lake, file)).split(path.sep).join('/');
}

export function fromLakeRelative(lake: string, rel: string): string {
  return path.join(lake, ...rel.split('/'));
}

/** The recorded output files of an hour that are gone (empty: all present). */
export async function missingOutputs(lake: string, record: HourRecord): Promise<string[]> {
  const files = record.transform?.files ?? [];
  if (files.length === 0) return ['(no files recorded)'];
  const gone: string[] = [];
  await Promise.all(
    files.map(async (rel) => {
      const file = fromLakeRelative(lake, rel);
      const staged = stagedPathOfPublished(lake, file);
      if (!(await isFile(file)) && !(staged && (await isFile(staged)))) gone.push(rel);
    }),
  );
  return gone.sort();
}

