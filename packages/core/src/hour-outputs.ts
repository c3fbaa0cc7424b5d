/**
 * "Trust the files, not just the manifest": before an hour marked transformed is skipped, every
 * partition file its transform reported must still be what was recorded — published with the
 * size and Parquet footer it had when it became final, or (silver) still staged for the next
 * silver commit to publish.
 *
 * The check is cheap on purpose (a run does it for every hour of its range): one stat and one
 * read of the file's tail (the footer, a few KB), never the data. A Parquet footer holds every
 * column chunk's offsets, sizes and statistics, so a file replaced by another — even of the same
 * length — has another footer. Damage inside a data page with size and footer intact is what
 * only a re-read finds: `ghlake verify`.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { HourKey } from './hour.js';
import { stagedPathOfPublished } from './layout.js';
import type { FileFingerprint, HourRecord, ManifestStore } from './manifest.js';

/** Lake-relative paths (forward slashes) so a manifest survives moving the lake. */
export function toLakeRelative(lake: string, file: string): string {
  return path.relative(lake, path.resolve(lake, file)).split(path.sep).join('/');
}

export function fromLakeRelative(lake: string, rel: string): string {
  return path.join(lake, ...rel.split('/'));
}

const MAGIC = Buffer.from('PAR1');
const n = (x: number) => x.toLocaleString('en-US');

/** A Parquet file's fingerprint, or why it has none (`gone`, too short, no footer). */
export type FingerprintResult = { ok: true; fingerprint: FileFingerprint } | { ok: false; why: string };

/** Above this, a file that is not Parquet is not fingerprinted by content (the hour's files are Parquet and a small JSON). */
const WHOLE_FILE_LIMIT = 1 << 20;

/** Size and footer hash of a Parquet file (one stat, one read of the tail); size and content hash of another (small) file. */
export async function fingerprintFile(file: string): Promise<FingerprintResult> {
  if (!file.endsWith('.parquet')) {
    const stat = await fs.stat(file).catch((error: NodeJS.ErrnoException) => error);
    if (stat instanceof Error) return { ok: false, why: stat.code === 'ENOENT' ? 'gone' : `cannot be read (${stat.code})` };
    const content = stat.size <= WHOLE_FILE_LIMIT ? await fs.readFile(file) : Buffer.alloc(0);
    return { ok: true, fingerprint: { bytes: stat.size, footer: `content:${createHash('sha256').update(content).digest('hex')}` } };
  }
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    return { ok: false, why: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : `cannot be opened (${(error as NodeJS.ErrnoException).code})` };
  }
  try {
    const { size } = await handle.stat();
    if (size < 12) return { ok: false, why: `${n(size)} bytes, not a Parquet file` };
    const trailer = Buffer.alloc(8);
    await handle.read(trailer, 0, 8, size - 8);
    const footerLength = trailer.readUInt32LE(0);
    if (!trailer.subarray(4).equals(MAGIC) || footerLength + 12 > size) return { ok: false, why: 'has no Parquet footer' };
    const footer = Buffer.alloc(footerLength + 8);
    await handle.read(footer, 0, footer.length, size - footer.length);
    return { ok: true, fingerprint: { bytes: size, footer: `${footerLength}:${createHash('sha256').update(footer).digest('hex')}` } };
  } finally {
    await handle.close();
  }
}

async function isFile(p: string): Promise<boolean> {
  return fs.stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** The file at its recorded place, and whether it is still staged (silver not yet published by a commit). */
export async function outputPlace(lake: string, rel: string): Promise<{ file: string; staged: boolean }> {
  const file = fromLakeRelative(lake, rel);
  const staged = stagedPathOfPublished(lake, file);
  if (staged && (await isFile(staged))) return { file: staged, staged: true };
  return { file, staged: false };
}

/**
 * What is wrong with an hour's recorded outputs, one line per file (empty: all as recorded).
 * Every file must be a Parquet file with its footer (another file: its content); one with a recorded fingerprint must match it
 * (one still staged, or recorded by an earlier ghlake, has none yet).
 */
export async function outputProblems(lake: string, record: HourRecord): Promise<string[]> {
  const files = record.transform?.files ?? [];
  if (files.length === 0) return ['(no files recorded)'];
  const problems: string[] = [];
  await Promise.all(
    files.map(async (rel) => {
      const recorded = record.transform?.outputs?.[rel];
      const place = await outputPlace(lake, rel);
      const now = await fingerprintFile(place.file);
      if (!now.ok) {
        if (now.why === 'gone') problems.push(`${rel}: gone`);
        else {
          const size = await fs.stat(place.file).then((s) => s.size);
          problems.push(recorded && !place.staged && size !== recorded.bytes ? `${rel}: ${n(size)} bytes, ${n(recorded.bytes)} recorded` : `${rel}: ${now.why}`);
        }
      } else if (!recorded || place.staged) return;
      else if (now.fingerprint.bytes !== recorded.bytes) problems.push(`${rel}: ${n(now.fingerprint.bytes)} bytes, ${n(recorded.bytes)} recorded`);
      else if (now.fingerprint.footer !== recorded.footer)
        problems.push(`${rel}: ${rel.endsWith('.parquet') ? 'its Parquet footer is not the recorded one' : 'its content is not the recorded one'}`);
    }),
  );
  return problems.sort();
}

/** The recorded output files of an hour that are gone (empty: all present). */
export async function missingOutputs(lake: string, record: HourRecord): Promise<string[]> {
  const problems = await outputProblems(lake, record);
  return problems.filter((p) => p === '(no files recorded)' || p.endsWith(': gone')).map((p) => p.replace(/: gone$/, ''));
}

/**
 * Record the fingerprint of every output of these hours that is final (published, no staged copy
 * waiting). `refresh`: replace recorded ones (the files were just written or rewritten, e.g. by a
 * silver commit); otherwise only fill in those missing (a file recorded by an earlier ghlake, or a
 * commit whose run stopped before recording). Cost: the hours given, never the lake.
 */
export async function recordFinalOutputs(store: ManifestStore, hours: Iterable<HourKey>, options: { refresh: boolean }): Promise<void> {
  const lake = store.lake;
  const list = [...new Set(hours)];
  await store.load(list);
  for (const hour of list) {
    const record = store.record(hour);
    if (!record.transform) continue;
    const outputs: Record<string, FileFingerprint> = {};
    let changed = false;
    for (const rel of record.transform.files) {
      const before = record.transform.outputs?.[rel];
      const place = await outputPlace(lake, rel);
      if (place.staged) {
        if (before) changed = true;
        continue;
      }
      if (before && !options.refresh) {
        outputs[rel] = before;
        continue;
      }
      const now = await fingerprintFile(place.file);
      if (now.ok) outputs[rel] = now.fingerprint;
      if (!now.ok || before?.bytes !== now.fingerprint.bytes || before.footer !== now.fingerprint.footer) changed = true;
    }
    if (!changed) continue;
    store.update(hour, (r) => (r.transform ? { ...r, transform: { ...r.transform, outputs } } : r));
  }
}
