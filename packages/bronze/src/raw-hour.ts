/**
 * One raw hour file → bronze partitions (and, through an extension, any tables derived from
 * the same parsed events: the fused silver path). Runs inside a pool worker: it gets a path,
 * decompresses and parses in this thread, streams rows to staged files, reconciles the line
 * accounting, then makes every file of the hour visible together.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CODES, GhlakeError, type HourKey } from '@ghlake/core';
import { reconcile, type LineAccounting } from './accounting.js';
import { HourTransform } from './hour-transform.js';
import type { EventReaderOptions, EventView } from './event-reader.js';
import { readRawHour, type RawDamage } from './read-raw.js';
import { StagedFiles } from './staged-files.js';
import { accountingPath, BronzeHourWriter, type AccountingRecord } from './write-bronze.js';

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
   * `damaged`: the gzip was truncated or corrupt; every line before the damage is in the tables.
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
      readerOptions,
    );
    let parseMs = 0;
    let writeMs = 0;
    const read = await readRawHour(task.rawPath, async (chunk) => {
      const t0 = performance.now();
      transform.push(chunk);
      const t1 = performance.now();
      await bronze.drain();
      await extension?.drain();
      parseMs += t1 - t0;
      writeMs += performance.now() - t1;
    });
    const t0 = performance.now();
    const accounting = transform.end(read.damage !== undefined);
    const t1 = performance.now();
    const bronzeFiles = await bronze.close();
    reconcile(hour, accounting, { events: bronzeFiles.events.rows, quarantineRows: bronzeFiles.quarantine.rows });
    const extensionMetrics = (await extension?.close(accounting)) as M;
    const record: AccountingRecord = { hour, sourceFile, accounting, damage: read.damage ?? null, writtenAt: new Date(writtenAtMs).toISOString() };
    await staged.stageJson(accountingPath(task.lake, hour), record, 'bronze.events/_accounting');
    parseMs += t1 - t0;
    writeMs += performance.now() - t1;
    const discard = read.damage !== undefined && task.discardDamaged === true;
    const files = discard ? [] : await staged.commit();
    if (discard) await staged.abort();
    const totalMs = performance.now() - started;
    return {
      hour,
      sourceFile,
      status: read.damage ? (discard ? 'discarded' : 'damaged') : 'ok',
      damage: read.damage ?? null,
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
