/**
 * One raw hour file → bronze partitions (and, through an extension, any tables derived from
 * the same parsed events: the fused silver path). Runs inside a pool worker: it gets a path,
 * decompresses and parses in this thread, streams rows to staged files, reconciles the line
 * accounting, then makes every file of the hour visible together.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { accountingPath, ERROR_CODES, GhlakeError, type HourKey } from '@ghlake/core';
import { reconcile, type LineAccounting } from './accounting.js';
import { HourTransform, type LineGate } from './hour-transform.js';
import type { EventReaderOptions, EventView } from './event-reader.js';
import { readRawHour, readRawHourExactly, type RawDamage } from './read-raw.js';
import { StagedFiles } from './staged-files.js';
import { BronzeHourWriter, type AccountingRecord } from './write-bronze.js';

export interface RawHourTask {
  hour: string;
  rawPath: string;
  lake: string;
  /** Rows per bronze.events row group. */
  bronzeRowGroupRows: number;
  /** See BronzeConfig.discardDamaged: on gzip damage, stage nothing and answer `discarded`. */
  discardDamaged?: boolean;
}

/** Tables derived from the same parse (silver in the fused path). */
export interface HourExtension<M> {
  open(staged: StagedFiles, writtenAtMs: number): Promise<void>;
  /** The view is valid during the call only. */
  event(ev: EventView): void;
  /** Called between chunks: hand full batches to writers. */
  drain(): Promise<void>;
  /** Close its writers (files staged); returns its metrics. */
  close(accounting: LineAccounting): Promise<M>;
}

export interface WrittenTableFile {
  table: string;
  path: string;
  rows: number;
  bytes: number;
}

export interface HourTimings {
  totalMs: number;
  /** Splitting, parsing, hashing, building rows (this thread). */
  parseMs: number;
  /** Handing rows to the Parquet writers, encoding and closing them. */
  writeMs: number;
  /** Waiting for decompressed bytes (gunzip and disk). */
  readMs: number;
}

export interface RawHourResult<M = undefined> {
  hour: string;
  sourceFile: string;
  /**
   * `damaged`: the gzip was truncated or corrupt; every line gunzip completed before the damage is
   * in the tables, and the damage is one `gzip_damage` quarantine row (read-raw.ts, hour-transform.ts).
   * `discarded`: the same, with `discardDamaged`: nothing was published (`files` is empty).
   */
  status: 'ok' | 'damaged' | 'discarded';
  damage: RawDamage | null;
  compressedBytes: number;
  accounting: LineAccounting;
  extension: M;
  files: WrittenTableFile[];
  timings: HourTimings;
}

export async function transformRawHour<M = undefined>(
  task: RawHourTask,
  extension?: HourExtension<M>,
  readerOptions: EventReaderOptions = {},
): Promise<RawHourResult<M>> {
  const started = performance.now();
  const hour = task.hour as HourKey;
  const sourceFile = path.basename(task.rawPath);
  if (!existsSync(task.rawPath)) {
    throw new GhlakeError(ERROR_CODES.HOUR_MISSING, `raw file for hour ${hour} not found: ${task.rawPath}`, {
      hint: `download it first: ghlake download --from ${hour} --to ${hour}`,
      details: { hour, rawPath: task.rawPath },
    });
  }
  const writtenAtMs = Date.now();
  /**
   * One pass over the file: parse, stream rows to staged files, reconcile. `gate` (after damage)
   * decides which lines in an unverified stretch are read as lines.
   */
  const pass = async (read: typeof readRawHour, gate?: LineGate) => {
    const staged = new StagedFiles();
    try {
      const bronze = await BronzeHourWriter.open(staged, task.lake, hour, sourceFile, writtenAtMs, { rowGroupRows: task.bronzeRowGroupRows });
      await extension?.open(staged, writtenAtMs);
      const transform = new HourTransform(
        {
          event: extension
            ? (ev) => {
                bronze.event(ev);
                extension.event(ev);
              }
            : (ev) => bronze.event(ev),
          quarantine: (q) => bronze.quarantined(q),
        },
        { ...readerOptions, ...(gate ? { gate } : {}) },
      );
      let parseMs = 0;
      let writeMs = 0;
      const raw = await read(task.rawPath, async (chunk) => {
        const t0 = performance.now();
        transform.push(chunk);
        const t1 = performance.now();
        await bronze.drain();
        await extension?.drain();
        parseMs += t1 - t0;
        writeMs += performance.now() - t1;
      });
      return { staged, bronze, transform, raw, parseMs, writeMs };
    } catch (error) {
      await staged.abort();
      throw error;
    }
  };

  let p = await pass(readRawHour);
  let damage: RawDamage | undefined = p.raw.damage;
  const discard = damage !== undefined && task.discardDamaged === true;
  if (damage && !discard && damage.code !== 'not_gzip') {
    // zlib lost the output of its failing step and cannot say where the damage is: the exact
    // reader finds it (a first read without parsing, to know the unverified stretch before any
    // line is taken), then the hour is read again up to it.
    await p.staged.abort();
    const found = await readRawHourExactly(task.rawPath, () => undefined);
    const unverifiedFrom = found.unverifiedFrom;
    // In a member whose own check failed, a line is kept only while it is wholly events: the
    // first that is not is where its garbling shows, and the damage point.
    const gate: LineGate | undefined =
      unverifiedFrom === undefined ? undefined : (line, end) => end <= unverifiedFrom || (line.events > 0 && line.quarantined === 0);
    p = await pass(readRawHourExactly, gate);
    damage = p.raw.damage;
  }
  const { staged, bronze, transform, raw: read } = p;
  let { parseMs, writeMs } = p;
  try {
    const t0 = performance.now();
    const accounting = damage
      ? transform.endAtDamage(
          (from, unread) =>
            `gzip damage (${damage!.code}) found at byte ${damage!.offset ?? '?'} of ${read.compressedBytes}: ${damage!.message}; ${unread} decompressed bytes from byte ${from} on are not read as lines`,
        )
      : transform.end(false);
    const t1 = performance.now();
    const bronzeFiles = await bronze.close();
    reconcile(hour, accounting, { events: bronzeFiles.events.rows, quarantineRows: bronzeFiles.quarantine.rows });
    const extensionMetrics = (await extension?.close(accounting)) as M;
    const record: AccountingRecord = { hour, sourceFile, accounting, damage: damage ?? null, writtenAt: new Date(writtenAtMs).toISOString() };
    await staged.stageJson(accountingPath(task.lake, hour), record, 'bronze.events/_accounting');
    parseMs += t1 - t0;
    writeMs += performance.now() - t1;
    const files = discard ? [] : await staged.commit();
    if (discard) await staged.abort();
    const totalMs = performance.now() - started;
    return {
      hour,
      sourceFile,
      status: damage ? (discard ? 'discarded' : 'damaged') : 'ok',
      damage: damage ?? null,
      compressedBytes: read.compressedBytes,
      accounting,
      extension: extensionMetrics,
      files: files.map((f) => ({ table: f.table, path: f.path, rows: f.rows, bytes: f.bytes })),
      timings: { totalMs, parseMs, writeMs, readMs: Math.max(0, totalMs - parseMs - writeMs) },
    };
  } catch (error) {
    await staged.abort();
    throw error;
  }
}
