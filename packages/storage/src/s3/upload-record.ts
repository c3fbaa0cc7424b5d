/**
 * What this lake last published where: `_state/upload-record.json` maps each object key (per
 * endpoint and bucket) to the size, ETag and sha256 it had when ghlake uploaded it. On a rerun,
 * an object the listing shows with that same ETag and size, whose local file still has that
 * sha256, is known unchanged without a HeadObject — so a rerun over a large lake costs about
 * one ListObjectsV2 page per 1,000 objects instead of one request per object. Any difference
 * (no record, another ETag because someone rewrote the object, another local hash) falls back
 * to comparing the sha256 stored in the object's metadata.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { STATE_FILE_MODE, stateDir, writeFileAtomic } from '@ghlake/core';

export interface PublishedObject {
  size: number;
  etag: string;
  sha256: string;
}

type Scopes = Record<string, Record<string, PublishedObject>>;

/** ETags come quoted from some calls and bare from others. */
export function normalizeEtag(etag: string | undefined): string | undefined {
  return etag === undefined ? undefined : etag.replace(/^W\//, '').replace(/"/g, '');
}

export class UploadRecord {
  private readonly seen = new Map<string, PublishedObject>();
  private dirty = false;

  private constructor(
    readonly file: string,
    private readonly scope: string,
    private readonly scopes: Scopes,
  ) {}

  static pathFor(lake: string): string {
    return path.join(stateDir(lake), 'upload-record.json');
  }

  /** A missing or unreadable record is an empty one: it only saves requests. */
  static async load(lake: string, endpoint: string | undefined, bucket: string): Promise<UploadRecord> {
    const file = UploadRecord.pathFor(lake);
    let scopes: Scopes = {};
    try {
      const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as { scopes?: Scopes };
      if (typeof parsed.scopes === 'object' && parsed.scopes !== null) scopes = parsed.scopes;
    } catch {
      // nothing recorded yet
    }
    return new UploadRecord(file, `${endpoint ?? 'aws'}|${bucket}`, scopes);
  }

  /** True when the bucket still holds exactly what we uploaded from a file with this sha256. */
  unchanged(key: string, remote: { size: number; etag?: string | undefined }, sha256: string): boolean {
    const rec = this.scopes[this.scope]?.[key];
    const etag = normalizeEtag(remote.etag);
    const ok = rec !== undefined && etag !== undefined && rec.etag === etag && rec.size === remote.size && rec.sha256 === sha256;
    if (ok) this.seen.set(key, rec);
    return ok;
  }

  set(key: string, object: PublishedObject): void {
    this.seen.set(key, object);
    (this.scopes[this.scope] ??= {})[key] = object;
    this.dirty = true;
  }

  /** `prune` (a complete run): keep only this scope's keys seen in this run. */
  async save(prune: boolean): Promise<void> {
    const current = this.scopes[this.scope] ?? {};
    if (!this.dirty && (!prune || Object.keys(current).length === this.seen.size)) return;
    if (prune) this.scopes[this.scope] = Object.fromEntries([...this.seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, scopes: this.scopes })}\n`, { mode: STATE_FILE_MODE });
    this.dirty = false;
  }
}
