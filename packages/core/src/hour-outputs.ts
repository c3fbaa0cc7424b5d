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
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { formatCount } from './format.js';
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
const TAIL_READ = 16 * 1024;

/** A Parquet file's fingerprint, or why it has none (`gone`, too short, no footer). */
export type FingerprintResult = { ok: true; fingerprint: FileFingerprint } | { ok: false; why: string };

/** Above this, a file that is not Parquet is not fingerprinted by content (the hour's files are Parquet and a small JSON). */
const WHOLE_FILE_LIMIT = 1 << 20;

const errno = (error: unknown) => (error as NodeJS.ErrnoException).code ?? 'error';

/**
 * Size and footer hash of a Parquet file (one stat, one read of the tail); size and content hash of
 * another (small) file. Synchronous calls on purpose: a handful of tiny reads per file, several
 * times faster than through the thread pool (measured in docs/pipeline.md), and the event loop is
 * held well under a millisecond per hour.
 */
export async function fingerprintFile(file: string): Promise<FingerprintResult> {
  return fingerprintFileSync(file);
}

function fingerprintFileSync(file: string): FingerprintResult {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    return { ok: false, why: errno(error) === 'ENOENT' ? 'gone' : `cannot be opened (${errno(error)})` };
  }
  try {
    const { size } = fstatSync(fd);
    if (!file.endsWith('.parquet')) {
      const content = Buffer.alloc(size <= WHOLE_FILE_LIMIT ? size : 0);
      readFully(fd, content, 0);
      return { ok: true, fingerprint: { bytes: size, footer: `content:${createHash('sha256').update(content).digest('hex')}` } };
    }
    if (size < 12) return { ok: false, why: `${formatCount(size)} bytes, not a Parquet file` };
    // One read of the tail holds the footer of any of the lake's files (a few KB); a longer footer takes a second.
    let tail = Buffer.alloc(Math.min(size, TAIL_READ));
    readFully(fd, tail, size - tail.length);
    const footerLength = tail.readUInt32LE(tail.length - 8);
    if (!tail.subarray(tail.length - 4).equals(MAGIC) || footerLength + 12 > size) return { ok: false, why: 'has no Parquet footer' };
    if (footerLength + 8 > tail.length) {
      tail = Buffer.alloc(footerLength + 8);
      readFully(fd, tail, size - tail.length);
    }
    const footer = tail.subarray(tail.length - footerLength - 8);
    return { ok: true, fingerprint: { bytes: size, footer: `${footerLength}:${createHash('sha256').update(footer).digest('hex')}` } };
  } catch (error) {
    return { ok: false, why: `cannot be read (${errno(error)})` };
  } finally {
    closeSync(fd);
  }
}

function readFully(fd: number, buffer: Buffer, position: number): void {
  let done = 0;
  while (done < buffer.length) {
    const got = readSync(fd, buffer, done, buffer.length - done, position + done);
    if (got === 0) throw Object.assign(new Error('file shorter than its size'), { code: 'ESHORT' });
    done += got;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The file at its recorded place, and whether it is still staged (silver not yet published by a commit). */
export async function outputPlace(lake: string, rel: string): Promise<{ file: string; staged: boolean }> {
  const file = fromLakeRelative(lake, rel);
  const staged = stagedPathOfPublished(lake, file);
  if (staged && isFile(staged)) return { file: staged, staged: true };
  return { file, staged: false };
}

/**
 * What is wrong with an hour's recorded outputs, one line per file (empty: all as recorded).
 * Every file must be a Parquet file with its footer (another file: readable); one with a recorded
 * fingerprint must match it (one still staged, or recorded by an earlier ghlake, has none yet).
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
          const size = statSync(place.file, { throwIfNoEntry: false })?.size ?? 0;
          problems.push(
            recorded && !place.staged && size !== recorded.bytes
              ? `${rel}: ${formatCount(size)} bytes, ${formatCount(recorded.bytes)} recorded`
              : `${rel}: ${now.why}`,
          );
        }
      } else if (!recorded || place.staged) return;
      else if (now.fingerprint.bytes !== recorded.bytes)
        problems.push(`${rel}: ${formatCount(now.fingerprint.bytes)} bytes, ${formatCount(recorded.bytes)} recorded`);
      else if (now.fingerprint.footer !== recorded.footer)
        problems.push(`${rel}: ${rel.endsWith('.parquet') ? 'its Parquet footer is not the recorded one' : 'its content is not the recorded one'}`);
    }),
  );
  return problems.sort();
}

/** `outputProblems` of many hours (a run's plan, `status`): cost ~0.5 ms an hour (docs/pipeline.md). */
export async function outputProblemsOfHours(lake: string, records: readonly (readonly [HourKey, HourRecord])[]): Promise<Map<HourKey, string[]>> {
  const out = new Map<HourKey, string[]>();
  for (const [hour, record] of records) out.set(hour, await outputProblems(lake, record));
  return out;
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
