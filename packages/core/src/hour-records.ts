/**
 * How an hour is recorded in the manifest, whichever command wrote it: `ghlake run`, or the step
 * commands `download`, `bronze` and `silver`. One place, so that `status` and the next `run` see
 * the same hour the same way however it was built.
 */
import { toPlainError, type GhlakeError, type PlainError } from './errors.js';
import type { HourKey } from './hour.js';
import { recordFinalOutputs, toLakeRelative } from './hour-outputs.js';
import { isTransformed, type HourAccounting, type HourRecord, type ManifestStore, type TransformLayer } from './manifest.js';

/** Record a failure without losing what the hour already had. */
export function failureOf(stage: string, error: PlainError | GhlakeError): NonNullable<HourRecord['error']> {
  return { stage, code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}), at: new Date().toISOString() };
}

/** A failed hour keeps what it had (a transformed hour stays transformed); the failure is noted. */
export function recordFailure(store: ManifestStore, hour: HourKey, stage: string, error: PlainError | GhlakeError): void {
  store.update(hour, (r) => ({
    ...r,
    ...(isTransformed(r) || r.state === 'downloaded' ? {} : { state: 'failed' as const }),
    error: failureOf(stage, error),
  }));
}

/** What a download settled for an hour (downloaded or already there and verified, missing, failed). */
export interface DownloadRecord {
  status: 'downloaded' | 'skipped' | 'missing' | 'failed';
  bytes: number;
  sha256?: string;
  error?: PlainError | GhlakeError;
}

/**
 * `redo`: the hour is downloaded to be transformed again (`ghlake run`): it is `downloaded` until
 * its transform is recorded. Otherwise (`ghlake download`) a transformed hour whose raw file is
 * there and verified stays transformed.
 */
export function recordDownload(
  store: ManifestStore,
  hour: HourKey,
  d: DownloadRecord,
  at: string,
  options: { redo: boolean; missingError: () => PlainError },
): void {
  const missingError = options.missingError;
  if (d.status === 'missing') {
    store.update(hour, (r) => ({ ...r, ...(isTransformed(r) ? {} : { state: 'missing' as const }), error: failureOf('download', d.error ?? missingError()) }));
    return;
  }
  if (d.status === 'failed') {
    recordFailure(store, hour, 'download', d.error ?? toPlainError(new Error('download failed without a reason')));
    return;
  }
  store.update(hour, (r) => {
    const { error: _e, ...rest } = r;
    const download = { bytes: d.bytes, ...(d.sha256 ? { sha256: d.sha256 } : {}), at };
    // A transformed hour whose raw file is verified again stays transformed.
    return isTransformed(r) && !options.redo ? { ...rest, download } : { ...rest, state: 'downloaded', download };
  });
}

/** What a transform wrote for an hour: its files (absolute or lake-relative) and line accounting. */
export interface TransformRecord {
  /** The layers written: both for the fused transform of `ghlake run`. */
  layers: readonly TransformLayer[];
  files: readonly string[];
  accounting: HourAccounting;
  damaged?: string;
}

const layerOf = (rel: string): TransformLayer | undefined => (rel.startsWith('bronze/') ? 'bronze' : rel.startsWith('silver/') ? 'silver' : undefined);

/**
 * Record what a transform wrote. The layers it did not write keep their files and figures (silver
 * after `ghlake bronze` alone). With both layers the hour is `transformed`; a published or loaded
 * hour written again is `transformed` again (its files changed). The files that are already final
 * (bronze; silver only once a commit published it) are fingerprinted at once.
 */
export async function recordTransform(store: ManifestStore, hour: HourKey, t: TransformRecord, at: string): Promise<HourRecord> {
  const lake = store.lake;
  const written = new Set(t.layers);
  const next = store.update(hour, (r): HourRecord => {
    const { error: _previous, publishedAt: _p, loadedAt: _l, ...rest } = r;
    const before = r.transform;
    const hadLayers: TransformLayer[] = before ? (before.layers ?? ['bronze', 'silver']) : [];
    const layers = (['bronze', 'silver'] as const).filter((l) => written.has(l) || hadLayers.includes(l));
    const kept = (before?.files ?? []).filter((f) => !written.has(layerOf(f) as TransformLayer));
    const files = [...new Set([...kept, ...t.files.map((f) => toLakeRelative(lake, f))])].sort();
    const outputs = Object.fromEntries(Object.entries(before?.outputs ?? {}).filter(([f]) => kept.includes(f)));
    const fromBronze = written.has('bronze') || !before;
    const acc = before?.accounting;
    const accounting: HourAccounting = {
      ...(fromBronze || !acc ? t.accounting : acc),
      ...(written.has('silver') || !acc
        ? { silverEvents: t.accounting.silverEvents, duplicates: t.accounting.duplicates }
        : { silverEvents: acc.silverEvents, duplicates: acc.duplicates }),
    };
    const damaged = written.has('bronze') ? t.damaged : before?.damaged;
    const both = layers.length === 2;
    return {
      ...rest,
      state: both
        ? 'transformed'
        : isTransformed(r)
          ? 'transformed'
          : r.state === 'pending' || r.state === 'failed' || r.state === 'missing'
            ? 'downloaded'
            : r.state,
      transform: {
        at,
        files,
        accounting,
        ...(damaged ? { damaged } : {}),
        ...(both ? {} : { layers }),
        ...(Object.keys(outputs).length ? { outputs } : {}),
      },
    };
  });
  // The outputs of the layers written were dropped above: only those (and any never recorded) are read.
  // A file that cannot be fingerprinted now is checked for presence and fingerprinted by a later run.
  await recordFinalOutputs(store, [hour], { refresh: false }).catch(() => undefined);
  return next;
}
