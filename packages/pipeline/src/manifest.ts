/**
 * The lake's manifest (`<lake>/_state/manifest.json`): what every hour has been through
 * (downloaded → transformed → published → loaded), its checksum and line accounting, and
 * which set of transformed hours the current gold was built from.
 *
 * The manifest is a cache of facts, not the only truth: a run checks the files behind a
 * "transformed" mark before trusting it (see hour-files.ts). It is always replaced whole and
 * atomically (temp + rename), so a SIGKILL leaves the previous complete version.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { ERROR_CODES, GhlakeError, STATE_FILE_MODE, compareHours, manifestPath, writeFileAtomic, type HourKey, type PlainError } from '@ghlake/core';

export const MANIFEST_VERSION = 1;

/** How far an hour got. Ordered: each state implies the ones before it. */
export type HourState = 'pending' | 'missing' | 'failed' | 'downloaded' | 'transformed' | 'published' | 'loaded';

/** Line accounting of one hour, as the transform reported it. */
export interface LineAccounting {
  /** Lines read from the file. */
  lines: number;
  /** Events written to bronze (a line holding two events counts twice here). */
  events: number;
  /** Distinct events written to silver. */
  silverEvents: number;
  /** Lines quarantined, in total and by reason. */
  quarantined: number;
  quarantinedByReason: Record<string, number>;
  blankLines: number;
  duplicates: number;
}

export interface HourRecord {
  state: HourState;
  download?: { bytes: number; sha256?: string; at: string };
  transform?: {
    at: string;
    /** Lake-relative paths of the partition files the transform wrote. */
    files: string[];
    accounting: LineAccounting;
    /** The source file was damaged (e.g. truncated gzip): what was readable is kept. */
    damaged?: string;
  };
  publishedAt?: string;
  loadedAt?: string;
  /** The last failure of this hour (cleared when the hour succeeds). */
  error?: { stage: string; code: string; message: string; hint?: string; at: string };
}

export interface GoldRecord {
  builtAt: string;
  /** Fingerprint of the transformed hours gold was computed from (see goldFingerprint). */
  fingerprint: string;
  hours: number;
}

export interface Manifest {
  version: number;
  updatedAt: string;
  hours: Record<string, HourRecord>;
  gold?: GoldRecord;
  /** The warehouse views were last rebuilt for this gold fingerprint. */
  warehouse?: { builtAt: string; fingerprint: string };
  publishedAt?: string;
  loadedAt?: string;
}

export function emptyManifest(): Manifest {
  return { version: MANIFEST_VERSION, updatedAt: new Date(0).toISOString(), hours: {} };
}

/** Read the manifest; a lake without one has an empty manifest. */
export async function readManifest(lake: string): Promise<Manifest> {
  const file = manifestPath(lake);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyManifest();
    throw error;
  }
  let parsed: Manifest;
  try {
    parsed = JSON.parse(text) as Manifest;
  } catch (error) {
    throw new GhlakeError(ERROR_CODES.MANIFEST_CORRUPT, `the lake manifest ${file} is not valid JSON`, {
      hint: `it is only ever replaced atomically, so something else wrote it; move it aside and rerun (the run rebuilds it from the files, redoing what it cannot prove)`,
      cause: error,
      details: { path: file },
    });
  }
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.hours !== 'object' || parsed.version !== MANIFEST_VERSION) {
    throw new GhlakeError(
      ERROR_CODES.MANIFEST_CORRUPT,
      `the lake manifest ${file} has an unknown shape (version ${String((parsed as { version?: unknown })?.version)})`,
      {
        hint: 'it was written by another ghlake version; move it aside and rerun',
        details: { path: file },
      },
    );
  }
  return parsed;
}

export async function writeManifest(lake: string, manifest: Manifest): Promise<void> {
  manifest.updatedAt = new Date().toISOString();
  await writeFileAtomic(manifestPath(lake), `${JSON.stringify(manifest, null, 1)}\n`, { mode: STATE_FILE_MODE });
}

export function hourRecord(manifest: Manifest, hour: HourKey): HourRecord {
  return manifest.hours[hour] ?? { state: 'pending' };
}

/** Record a failure without losing what the hour already had. */
export function failureOf(stage: string, error: PlainError | GhlakeError): NonNullable<HourRecord['error']> {
  return { stage, code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}), at: new Date().toISOString() };
}

/** True when the hour's bronze and silver partitions were written (whatever came after). */
export function isTransformed(record: HourRecord): boolean {
  return record.state === 'transformed' || record.state === 'published' || record.state === 'loaded';
}

/**
 * Gold depends on exactly the set of transformed hours and when each was (re)written: the
 * fingerprint changes when an hour is added, removed or re-transformed, and only then.
 */
export function goldFingerprint(manifest: Manifest): { fingerprint: string; hours: number } {
  const hash = createHash('sha256');
  const hours = (Object.keys(manifest.hours) as HourKey[]).filter((h) => isTransformed(manifest.hours[h]!)).sort(compareHours);
  for (const h of hours) hash.update(`${h}@${manifest.hours[h]!.transform?.at ?? ''}\n`);
  return { fingerprint: hash.digest('hex'), hours: hours.length };
}

/**
 * Serialises manifest writes: callers mark the manifest dirty as often as they like, at most
 * one write is in flight, writes are at least `minIntervalMs` apart (a year of hours makes a
 * manifest of megabytes: rewriting it per hour event would cost more than the hours), and
 * `flush` puts the latest state on disk at once. A write lost to a crash only means the work it
 * recorded is redone: the files, not the manifest, decide what is complete.
 */
export class ManifestStore {
  readonly lake: string;
  readonly manifest: Manifest;
  private readonly minIntervalMs: number;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private urgent = false;
  private wake: (() => void) | undefined;
  private failure: unknown;

  constructor(lake: string, manifest: Manifest, options: { minIntervalMs?: number } = {}) {
    this.lake = lake;
    this.manifest = manifest;
    this.minIntervalMs = options.minIntervalMs ?? 1000;
  }

  static async open(lake: string, options: { minIntervalMs?: number } = {}): Promise<ManifestStore> {
    return new ManifestStore(lake, await readManifest(lake), options);
  }

  update(hour: HourKey, change: (record: HourRecord) => HourRecord): HourRecord {
    const next = change(hourRecord(this.manifest, hour));
    this.manifest.hours[hour] = next;
    this.save();
    return next;
  }

  /** Schedule a write of the current state. */
  save(): void {
    this.dirty = true;
    if (this.writing) return;
    this.writing = (async () => {
      while (this.dirty) {
        this.dirty = false;
        const started = Date.now();
        try {
          await writeManifest(this.lake, this.manifest);
        } catch (error) {
          this.failure = error;
        }
        const wait = this.minIntervalMs - (Date.now() - started);
        if (this.dirty && !this.urgent && wait > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, wait);
            this.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.wake = undefined;
        }
      }
      this.writing = undefined;
    })();
  }

  /** Write the latest state now and wait for it; throws if any write failed. */
  async flush(): Promise<void> {
    this.urgent = true;
    try {
      this.wake?.();
      while (this.writing) await this.writing;
    } finally {
      this.urgent = false;
    }
    if (this.failure !== undefined) {
      const error = this.failure;
      this.failure = undefined;
      throw error;
    }
  }
}
