/**
 * The lake's manifest: what every hour has been through (downloaded → transformed → published →
 * loaded), its checksum, line accounting and files. Split by month so that what a run rewrites
 * follows the hours it touches, not the lake:
 *
 *   <lake>/_state/manifest/hours-YYYY-MM.json   the records of one month's hours
 *   <lake>/_state/manifest/lake.json            lake-wide facts: when it was last published and
 *                                               loaded, and which months hold hours not yet so
 *
 * The manifest is a cache of facts, not the only truth: a run checks the files behind a
 * "transformed" mark before trusting it (see hour-outputs.ts); how each command records an hour
 * is hour-records.ts. Each file is replaced whole and
 * atomically (temp + rename), so a SIGKILL leaves its previous complete version. A lake from
 * before the split (`_state/manifest.json`) is split on its first open.
 */
import { promises as fs } from 'node:fs';
import { ERROR_CODES, GhlakeError } from './errors.js';
import { readTextIfExists } from './files.js';
import { STATE_FILE_MODE, writeFileAtomic } from './fs-atomic.js';
import { hourDate, type HourKey } from './hour.js';
import { manifestDir, manifestLakePath, manifestMonthPath, manifestPath } from './layout.js';

export const MANIFEST_VERSION = 2;

/** The layers an hour's transform writes. */
export type TransformLayer = 'bronze' | 'silver';

/**
 * A file as it was when final: its size and, for Parquet, `<footer length>:<sha256 of footer + trailer>`;
 * for the small JSON beside bronze, `content:<sha256>` (see hour-outputs.ts).
 */
export interface FileFingerprint {
  bytes: number;
  footer: string;
}

/** How far an hour got. Ordered: each state implies the ones before it. */
export type HourState = 'pending' | 'missing' | 'failed' | 'downloaded' | 'transformed' | 'published' | 'loaded';

/** Line accounting of one hour, as the transform reported it. */
export interface HourAccounting {
  /** Lines read from the file. */
  lines: number;
  /** Events written to bronze (a line holding two events counts twice here). */
  events: number;
  /** Distinct events written to silver. */
  silverEvents: number;
  /** Lines quarantined (bronze's quarantinedLines), in total and by reason. */
  quarantined: number;
  quarantinedByReason: Record<string, number>;
  blankLines: number;
  /** Events repeating an earlier event of the hour (silver keeps one). */
  duplicates: number;
}

export interface HourRecord {
  state: HourState;
  download?: { bytes: number; sha256?: string; at: string };
  transform?: {
    at: string;
    /** Lake-relative paths of the partition files the transform wrote. */
    files: string[];
    accounting: HourAccounting;
    /** The source file was damaged (e.g. truncated gzip): what was readable is kept. */
    damaged?: string;
    /**
     * The layers the files cover. Absent: both (`ghlake run`'s fused transform). `ghlake bronze`
     * records `['bronze']`; the hour is transformed once `ghlake silver` adds silver.
     */
    layers?: TransformLayer[];
    /**
     * Size and Parquet footer of each file once it is final (bronze at once, silver once its
     * commit published it), by lake-relative path: what a run checks before trusting the hour.
     */
    outputs?: Record<string, FileFingerprint>;
  };
  publishedAt?: string;
  loadedAt?: string;
  /** The last failure of this hour (cleared when the hour succeeds). */
  error?: { stage: string; code: string; message: string; hint?: string; at: string };
}

export interface Manifest {
  version: number;
  updatedAt: string;
  hours: Record<string, HourRecord>;
  publishedAt?: string;
  loadedAt?: string;
}

/** `lake.json`: the lake-wide part. */
interface LakeDoc {
  version: number;
  updatedAt: string;
  publishedAt?: string;
  loadedAt?: string;
  /** Months holding hours transformed but not yet published (an upload marks them), and published but not loaded. */
  unpublishedMonths: string[];
  unloadedMonths: string[];
}

interface MonthDoc {
  version: number;
  hours: Record<string, HourRecord>;
}

export function emptyManifest(): Manifest {
  return { version: MANIFEST_VERSION, updatedAt: new Date(0).toISOString(), hours: {} };
}

const monthOf = (hour: HourKey): string => hourDate(hour).slice(0, 7);

function corrupt(file: string, why: string, cause?: unknown): GhlakeError {
  return new GhlakeError(ERROR_CODES.MANIFEST_CORRUPT, `the lake manifest ${file} ${why}`, {
    hint: 'it is only ever replaced atomically, so something else wrote it; move it aside and rerun (the run rebuilds it from the files, redoing what it cannot prove)',
    ...(cause === undefined ? {} : { cause }),
    details: { path: file },
  });
}

async function readJson<T>(file: string, valid: (v: unknown) => boolean): Promise<T | undefined> {
  const text = await readTextIfExists(file);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, 'is not valid JSON', error);
  }
  if (!valid(parsed)) throw corrupt(file, `has an unknown shape (version ${String((parsed as { version?: unknown })?.version)})`);
  return parsed as T;
}

const isDoc = (version: number) => (v: unknown) =>
  typeof v === 'object' && v !== null && (v as { version?: unknown }).version === version && typeof (v as { hours?: unknown }).hours === 'object';

function emptyLakeDoc(): LakeDoc {
  return { version: MANIFEST_VERSION, updatedAt: new Date(0).toISOString(), unpublishedMonths: [], unloadedMonths: [] };
}

/** The single-file manifest of an earlier ghlake, if the lake still has one. */
async function readLegacy(lake: string): Promise<Manifest | undefined> {
  return readJson<Manifest>(manifestPath(lake), isDoc(1));
}

async function readLakeDoc(lake: string): Promise<LakeDoc> {
  return (
    (await readJson<LakeDoc>(
      manifestLakePath(lake),
      (v) => typeof v === 'object' && v !== null && (v as { version?: unknown }).version === MANIFEST_VERSION,
    )) ?? emptyLakeDoc()
  );
}

async function readMonth(lake: string, month: string): Promise<MonthDoc> {
  return (await readJson<MonthDoc>(manifestMonthPath(lake, month), isDoc(MANIFEST_VERSION))) ?? { version: MANIFEST_VERSION, hours: {} };
}

async function monthsOnDisk(lake: string): Promise<string[]> {
  const names = await fs.readdir(manifestDir(lake)).catch(() => [] as string[]);
  return names
    .map((n) => /^hours-(\d{4}-\d{2})\.json$/.exec(n)?.[1])
    .filter((m): m is string => m !== undefined)
    .sort();
}

/**
 * The manifest (status, reports, tests); a lake without one has an empty manifest. Every month by default; with
 * `hours`, only the months holding them (what an hourly run's status and report read: their cost follows the run's
 * hours, not the lake's).
 */
export async function readManifest(lake: string, options: { hours?: readonly HourKey[] } = {}): Promise<Manifest> {
  const onDisk = await monthsOnDisk(lake);
  const legacy = await readLegacy(lake);
  if (legacy && onDisk.length === 0) return legacy;
  const doc = await readLakeDoc(lake);
  const manifest: Manifest = { version: MANIFEST_VERSION, updatedAt: doc.updatedAt, hours: {} };
  if (doc.publishedAt) manifest.publishedAt = doc.publishedAt;
  if (doc.loadedAt) manifest.loadedAt = doc.loadedAt;
  const wanted = options.hours ? new Set(options.hours.map(monthOf)) : undefined;
  for (const month of onDisk) if (!wanted || wanted.has(month)) Object.assign(manifest.hours, (await readMonth(lake, month)).hours);
  return manifest;
}

export function hourRecord(manifest: Manifest, hour: HourKey): HourRecord {
  return manifest.hours[hour] ?? { state: 'pending' };
}

/** True when the hour's bronze and silver partitions were written (whatever came after). */
export function isTransformed(record: HourRecord): boolean {
  return record.state === 'transformed' || record.state === 'published' || record.state === 'loaded';
}

/**
 * The manifest as a run uses it: the months of the hours it works on are read at open (and any
 * other month on first use), updates mark their month dirty, and writes — at most one in flight,
 * at least `minIntervalMs` apart, `flush` at once — replace only the dirty months and lake.json.
 * A write lost to a crash only means the work it recorded is redone: the files, not the manifest,
 * decide what is complete.
 */
export class ManifestStore {
  readonly lake: string;
  private readonly months = new Map<string, MonthDoc>();
  private readonly dirtyMonths = new Set<string>();
  private doc: LakeDoc;
  private docDirty = false;
  private readonly minIntervalMs: number;
  private readonly lazy: boolean;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private urgent = false;
  private wake: (() => void) | undefined;
  private failure: unknown;

  private constructor(lake: string, doc: LakeDoc, options: { minIntervalMs?: number; lazy?: boolean }) {
    this.lake = lake;
    this.doc = doc;
    this.minIntervalMs = options.minIntervalMs ?? 1000;
    this.lazy = options.lazy ?? false;
  }

  /**
   * Open with the months of `hours` read (a lake with a single-file manifest is split by month first).
   * `lazy`: even the first change waits `minIntervalMs` before it is written (`ghlake download`: its
   * hours settle in bursts, and the files beside them are the truth meanwhile).
   */
  static async open(lake: string, options: { minIntervalMs?: number; hours?: readonly HourKey[]; lazy?: boolean } = {}): Promise<ManifestStore> {
    const legacy = await readLegacy(lake);
    if (legacy) await migrate(lake, legacy);
    const store = new ManifestStore(lake, await readLakeDoc(lake), options);
    await store.load(options.hours ?? []);
    return store;
  }

  /** Read every month of the lake; returns every hour recorded (verify, a silver rebuild: explicit whole-lake work). */
  async loadAll(): Promise<HourKey[]> {
    const hours: HourKey[] = [];
    for (const month of await monthsOnDisk(this.lake)) {
      if (!this.months.has(month)) this.months.set(month, await readMonth(this.lake, month));
      hours.push(...(Object.keys(this.months.get(month)!.hours) as HourKey[]));
    }
    return hours;
  }

  /** Read the months of these hours if not read yet. */
  async load(hours: readonly HourKey[]): Promise<void> {
    for (const month of new Set(hours.map(monthOf))) if (!this.months.has(month)) this.months.set(month, await readMonth(this.lake, month));
  }

  private month(hour: HourKey): MonthDoc {
    const doc = this.months.get(monthOf(hour));
    if (!doc) throw new Error(`manifest month of ${hour} was not loaded (ManifestStore.load)`);
    return doc;
  }

  record(hour: HourKey): HourRecord {
    return this.month(hour).hours[hour] ?? { state: 'pending' };
  }

  update(hour: HourKey, change: (record: HourRecord) => HourRecord): HourRecord {
    const next = change(this.record(hour));
    this.month(hour).hours[hour] = next;
    const month = monthOf(hour);
    this.dirtyMonths.add(month);
    if (next.state === 'transformed' && !this.doc.unpublishedMonths.includes(month)) {
      this.doc.unpublishedMonths = [...this.doc.unpublishedMonths, month].sort();
      this.docDirty = true;
    }
    this.save();
    return next;
  }

  /** Every transformed hour is now published (an upload completed). Reads only the months that have such hours. */
  async markPublished(at: string): Promise<void> {
    for (const month of this.doc.unpublishedMonths) {
      if (!this.months.has(month)) this.months.set(month, await readMonth(this.lake, month));
      const doc = this.months.get(month)!;
      for (const [hour, r] of Object.entries(doc.hours)) if (r.state === 'transformed') doc.hours[hour] = { ...r, state: 'published', publishedAt: at };
      this.dirtyMonths.add(month);
    }
    this.doc = {
      ...this.doc,
      publishedAt: at,
      unloadedMonths: [...new Set([...this.doc.unloadedMonths, ...this.doc.unpublishedMonths])].sort(),
      unpublishedMonths: [],
    };
    this.docDirty = true;
    this.save();
  }

  /** Every published hour is now loaded into Snowflake. */
  async markLoaded(at: string): Promise<void> {
    for (const month of this.doc.unloadedMonths) {
      if (!this.months.has(month)) this.months.set(month, await readMonth(this.lake, month));
      const doc = this.months.get(month)!;
      for (const [hour, r] of Object.entries(doc.hours)) if (r.state === 'published') doc.hours[hour] = { ...r, state: 'loaded', loadedAt: at };
      this.dirtyMonths.add(month);
    }
    this.doc = { ...this.doc, loadedAt: at, unloadedMonths: [] };
    this.docDirty = true;
    this.save();
  }

  private async writeDirty(): Promise<void> {
    const months = [...this.dirtyMonths];
    this.dirtyMonths.clear();
    const docDirty = this.docDirty;
    this.docDirty = false;
    try {
      for (const month of months) {
        await writeFileAtomic(manifestMonthPath(this.lake, month), `${JSON.stringify(this.months.get(month), null, 1)}\n`, { mode: STATE_FILE_MODE });
      }
      if (docDirty || months.length) {
        this.doc.updatedAt = new Date().toISOString();
        await writeFileAtomic(manifestLakePath(this.lake), `${JSON.stringify(this.doc, null, 1)}\n`, { mode: STATE_FILE_MODE });
      }
    } catch (error) {
      for (const month of months) this.dirtyMonths.add(month);
      this.docDirty ||= docDirty;
      throw error;
    }
  }

  /** Wait `ms`, or less if `flush` asks for the write now. */
  private async pause(ms: number): Promise<void> {
    if (ms <= 0 || this.urgent) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  /** Schedule a write of the current state. */
  save(): void {
    this.dirty = true;
    if (this.writing) return;
    this.writing = (async () => {
      // Lazy: the first change waits too, so a burst of updates costs no write until it settles.
      if (this.lazy) await this.pause(this.minIntervalMs);
      while (this.dirty) {
        this.dirty = false;
        const started = Date.now();
        try {
          await this.writeDirty();
        } catch (error) {
          this.failure = error;
        }
        if (this.dirty) await this.pause(this.minIntervalMs - (Date.now() - started));
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
      const error: unknown = this.failure;
      this.failure = undefined;
      throw error;
    }
  }
}

/** Split an earlier ghlake's single-file manifest by month (the months first, then the old file goes). */
async function migrate(lake: string, legacy: Manifest): Promise<void> {
  const months = new Map<string, MonthDoc>();
  for (const [hour, record] of Object.entries(legacy.hours)) {
    const month = monthOf(hour as HourKey);
    if (!months.has(month)) months.set(month, { version: MANIFEST_VERSION, hours: {} });
    months.get(month)!.hours[hour] = record;
  }
  for (const [month, doc] of months) await writeFileAtomic(manifestMonthPath(lake, month), `${JSON.stringify(doc, null, 1)}\n`, { mode: STATE_FILE_MODE });
  const unpublished = [...months].filter(([, d]) => Object.values(d.hours).some((r) => r.state === 'transformed')).map(([m]) => m);
  const unloaded = [...months].filter(([, d]) => Object.values(d.hours).some((r) => r.state === 'published')).map(([m]) => m);
  const doc: LakeDoc = { ...emptyLakeDoc(), updatedAt: new Date().toISOString(), unpublishedMonths: unpublished.sort(), unloadedMonths: unloaded.sort() };
  if (legacy.publishedAt) doc.publishedAt = legacy.publishedAt;
  if (legacy.loadedAt) doc.loadedAt = legacy.loadedAt;
  await writeFileAtomic(manifestLakePath(lake), `${JSON.stringify(doc, null, 1)}\n`, { mode: STATE_FILE_MODE });
  await fs.rm(manifestPath(lake), { force: true });
}
