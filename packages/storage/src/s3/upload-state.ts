/**
 * What this lake published where, kept in the lake's state database (`<lake>/_state/state.duckdb`,
 * core's state-db.ts) so that a run reads and writes only the rows of the objects it touches:
 *
 *   upload_objects   one row per hour-partition or raw object uploaded (scope = endpoint|bucket, key):
 *                    its size, sha256, ETag and the lake file's mtime when it was uploaded or last
 *                    proven equal. A lake file whose size and mtime match its row is known to be in
 *                    the bucket without reading it or asking S3.
 *   upload_keyed     the same for the files of keyed tables (silver entities, gold), plus the
 *                    table's folder, the file's seq and `obsolete_run`: the upload run that found
 *                    the file no longer part of its table (it is deleted by a later run, so a reader
 *                    that listed the table or read the previous gold pointer can finish).
 *   upload_marks     per destination (endpoint|bucket|prefix): the silver commit and the gold
 *                    version the last COMPLETE upload covered, and a run counter. An incremental
 *                    upload takes the silver commits after the mark; no mark = a full upload.
 *
 * Only holders of the lake lock open the state database; rows are written in batches (a crash
 * loses at most the last batch: those objects are found again in S3 by one HeadObject each).
 */
import { STATE_META, openStateDb, queryRows, runSql, sqlString, type OpenDuckDB, type StateTable } from '@ghlake/core/duckdb';

export const UPLOAD_OBJECTS: StateTable = {
  name: 'upload_objects',
  columns:
    'scope VARCHAR NOT NULL, key VARCHAR NOT NULL, size BIGINT NOT NULL, sha256 VARCHAR NOT NULL, etag VARCHAR, mtime_ms DOUBLE, PRIMARY KEY (scope, key)',
};

export const UPLOAD_KEYED: StateTable = {
  name: 'upload_keyed',
  columns:
    'scope VARCHAR NOT NULL, key VARCHAR NOT NULL, dir VARCHAR NOT NULL, seq BIGINT, size BIGINT NOT NULL, sha256 VARCHAR NOT NULL, etag VARCHAR, mtime_ms DOUBLE, obsolete_run BIGINT, PRIMARY KEY (scope, key)',
};

export const UPLOAD_MARKS: StateTable = {
  name: 'upload_marks',
  columns: 'scope VARCHAR NOT NULL, run BIGINT NOT NULL, silver_head BIGINT, gold_version VARCHAR, mode VARCHAR, completed_at TIMESTAMP, PRIMARY KEY (scope)',
};

export const UPLOAD_STATE_TABLES: readonly StateTable[] = [STATE_META, UPLOAD_OBJECTS, UPLOAD_KEYED, UPLOAD_MARKS];

/** An object as the record knows it. `size`/`sha256` describe the object; `mtimeMs` the lake file it came from. */
export interface RecordedObject {
  key: string;
  size: number;
  sha256: string;
  etag?: string | undefined;
  mtimeMs?: number | undefined;
}

export interface RecordedKeyed extends RecordedObject {
  /** The table's folder below the prefix, e.g. `ghlake/silver/actors`. */
  dir: string;
  seq: number | undefined;
  /** The run that found the file no longer part of its table (undefined: live). */
  obsoleteRun: number | undefined;
}

export interface UploadMark {
  /** Upload runs started for this destination (this run's number while it runs). */
  run: number;
  /** The silver commit the last complete upload covered (undefined: none complete yet). */
  silverHead: number | undefined;
  goldVersion: string | undefined;
  mode: string | undefined;
  at: string | undefined;
}

const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
const lit = (v: string | number | undefined): string => (v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : sqlString(v));

/** ETags come quoted from some calls and bare from others. */
export function normalizeEtag(etag: string | undefined): string | undefined {
  return etag === undefined ? undefined : etag.replace(/^W\//, '').replace(/"/g, '');
}

/** How many rows the record buffers before writing them (and at most how long). */
const FLUSH_ROWS = 200;
const FLUSH_MS = 1000;

export class UploadState {
  private pendingObjects = new Map<string, RecordedObject>();
  private pendingKeyed = new Map<string, RecordedKeyed>();
  private pendingForget = new Set<string>();
  private lastFlush = Date.now();
  private flushing: Promise<void> | undefined;

  private constructor(
    readonly db: OpenDuckDB,
    /** endpoint|bucket: object keys are unique in it. */
    readonly objectScope: string,
    /** endpoint|bucket|prefix: one destination. */
    readonly markScope: string,
    /** `<prefix>/` or '' : the keys of this destination. */
    readonly keyPrefix: string,
  ) {}

  static async open(lake: string, where: { endpoint: string | undefined; bucket: string; prefix: string }): Promise<UploadState> {
    const db = await openStateDb(lake, { memoryLimit: 256_000_000, threads: 1 }, UPLOAD_STATE_TABLES);
    const objectScope = `${where.endpoint ?? 'aws'}|${where.bucket}`;
    return new UploadState(db, objectScope, `${objectScope}|${where.prefix}`, where.prefix === '' ? '' : `${where.prefix}/`);
  }

  private get c() {
    return this.db.connection;
  }

  /** The destination's mark, or undefined when nothing was ever uploaded there. */
  async mark(): Promise<UploadMark | undefined> {
    const rows = await queryRows(
      this.c,
      `SELECT run, silver_head, gold_version, mode, strftime(completed_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS at FROM ${UPLOAD_MARKS.name} WHERE scope = ${sqlString(this.markScope)}`,
    );
    const r = rows[0];
    if (!r) return undefined;
    return { run: Number(r.run), silverHead: num(r.silver_head), goldVersion: str(r.gold_version), mode: str(r.mode), at: str(r.at) };
  }

  /** Start a run: its number (persisted at once, so obsolete files marked by it are deleted only by a later one). */
  async beginRun(): Promise<{ run: number; previous: UploadMark | undefined }> {
    const previous = await this.mark();
    const run = (previous?.run ?? 0) + 1;
    if (previous) await runSql(this.c, `UPDATE ${UPLOAD_MARKS.name} SET run = ${run} WHERE scope = ${sqlString(this.markScope)}`);
    else await runSql(this.c, `INSERT INTO ${UPLOAD_MARKS.name} (scope, run) VALUES (${sqlString(this.markScope)}, ${run})`);
    return { run, previous };
  }

  /** Record that the run completed: what it covered. */
  async complete(mark: { silverHead: number | undefined; goldVersion: string | undefined; mode: string }): Promise<void> {
    await this.flush();
    await runSql(
      this.c,
      `UPDATE ${UPLOAD_MARKS.name} SET silver_head = ${lit(mark.silverHead)}, gold_version = ${lit(mark.goldVersion)}, mode = ${lit(mark.mode)}, completed_at = now()::TIMESTAMP
       WHERE scope = ${sqlString(this.markScope)}`,
    );
  }

  /** Recorded objects among `keys` (hour partitions and raw hours). */
  async objects(keys: readonly string[]): Promise<Map<string, RecordedObject>> {
    const out = new Map<string, RecordedObject>();
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      const rows = await queryRows(
        this.c,
        `SELECT key, size, sha256, etag, mtime_ms FROM ${UPLOAD_OBJECTS.name} WHERE scope = ${sqlString(this.objectScope)} AND key IN (${chunk.map(sqlString).join(', ')})`,
      );
      for (const r of rows) out.set(String(r.key), objectOf(r));
    }
    for (const k of keys) {
      const pending = this.pendingObjects.get(k);
      if (pending) out.set(k, pending);
    }
    return out;
  }

  /** Every recorded object of this destination (a full upload compares them with the bucket's listing). */
  async allObjects(): Promise<Map<string, RecordedObject>> {
    await this.flush();
    const rows = await queryRows(
      this.c,
      `SELECT key, size, sha256, etag, mtime_ms FROM ${UPLOAD_OBJECTS.name} WHERE scope = ${sqlString(this.objectScope)} AND starts_with(key, ${sqlString(this.keyPrefix)})`,
    );
    return new Map(rows.map((r) => [String(r.key), objectOf(r)]));
  }

  /** Every recorded file of the destination's keyed tables (a few per table). */
  async keyed(): Promise<Map<string, RecordedKeyed>> {
    await this.flush();
    const rows = await queryRows(
      this.c,
      `SELECT key, dir, seq, size, sha256, etag, mtime_ms, obsolete_run FROM ${UPLOAD_KEYED.name}
       WHERE scope = ${sqlString(this.objectScope)} AND starts_with(key, ${sqlString(this.keyPrefix)})`,
    );
    return new Map(rows.map((r) => [String(r.key), { ...objectOf(r), dir: String(r.dir), seq: num(r.seq), obsoleteRun: num(r.obsolete_run) }]));
  }

  putObject(o: RecordedObject): void {
    this.pendingForget.delete(o.key);
    this.pendingObjects.set(o.key, o);
  }

  putKeyed(o: RecordedKeyed): void {
    this.pendingForget.delete(o.key);
    this.pendingKeyed.set(o.key, o);
  }

  /** The object is gone from the bucket (deleted, or not found by a full upload's listing). */
  forget(key: string): void {
    this.pendingObjects.delete(key);
    this.pendingKeyed.delete(key);
    this.pendingForget.add(key);
  }

  /** Write the buffered rows when enough have gathered (or enough time passed); one write at a time. */
  async flushIfDue(): Promise<void> {
    if (this.flushing) return this.flushing;
    const n = this.pendingObjects.size + this.pendingKeyed.size + this.pendingForget.size;
    if (n === 0 || (n < FLUSH_ROWS && Date.now() - this.lastFlush < FLUSH_MS)) return;
    this.flushing = this.write().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Write every buffered row now. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.write();
  }

  private async write(): Promise<void> {
    this.lastFlush = Date.now();
    const objects = [...this.pendingObjects.values()];
    const keyed = [...this.pendingKeyed.values()];
    const forget = [...this.pendingForget];
    this.pendingObjects.clear();
    this.pendingKeyed.clear();
    this.pendingForget.clear();
    if (objects.length + keyed.length + forget.length === 0) return;
    const scope = sqlString(this.objectScope);
    try {
      await runSql(this.c, 'BEGIN TRANSACTION');
      for (let i = 0; i < forget.length; i += 1000) {
        const list = forget
          .slice(i, i + 1000)
          .map(sqlString)
          .join(', ');
        await runSql(this.c, `DELETE FROM ${UPLOAD_OBJECTS.name} WHERE scope = ${scope} AND key IN (${list})`);
        await runSql(this.c, `DELETE FROM ${UPLOAD_KEYED.name} WHERE scope = ${scope} AND key IN (${list})`);
      }
      for (let i = 0; i < objects.length; i += 500) {
        const values = objects
          .slice(i, i + 500)
          .map((o) => `(${scope}, ${sqlString(o.key)}, ${o.size}, ${sqlString(o.sha256)}, ${lit(o.etag)}, ${lit(o.mtimeMs)})`);
        await runSql(this.c, `INSERT OR REPLACE INTO ${UPLOAD_OBJECTS.name} (scope, key, size, sha256, etag, mtime_ms) VALUES ${values.join(', ')}`);
      }
      for (let i = 0; i < keyed.length; i += 500) {
        const values = keyed
          .slice(i, i + 500)
          .map(
            (o) =>
              `(${scope}, ${sqlString(o.key)}, ${sqlString(o.dir)}, ${lit(o.seq)}, ${o.size}, ${sqlString(o.sha256)}, ${lit(o.etag)}, ${lit(o.mtimeMs)}, ${lit(o.obsoleteRun)})`,
          );
        await runSql(
          this.c,
          `INSERT OR REPLACE INTO ${UPLOAD_KEYED.name} (scope, key, dir, seq, size, sha256, etag, mtime_ms, obsolete_run) VALUES ${values.join(', ')}`,
        );
      }
      await runSql(this.c, 'COMMIT', 'recording the uploaded objects');
    } catch (error) {
      await runSql(this.c, 'ROLLBACK').catch(() => undefined);
      // Keep what was not written (unless a newer row replaced it meanwhile) for the next attempt.
      for (const o of objects) if (!this.pendingObjects.has(o.key) && !this.pendingForget.has(o.key)) this.pendingObjects.set(o.key, o);
      for (const o of keyed) if (!this.pendingKeyed.has(o.key) && !this.pendingForget.has(o.key)) this.pendingKeyed.set(o.key, o);
      for (const k of forget) if (!this.pendingObjects.has(k) && !this.pendingKeyed.has(k)) this.pendingForget.add(k);
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }
}

function objectOf(r: Record<string, unknown>): RecordedObject {
  return { key: String(r.key), size: Number(r.size), sha256: String(r.sha256), etag: str(r.etag), mtimeMs: num(r.mtime_ms) };
}
