/**
 * Silver rebuilt from bronze, without the raw files: read an hour's bronze.events partition
 * (hyparquet, one row group at a time, in file order = line order) and feed the same silver
 * rules as the fused path. Because bronze keeps the actor/repo/org/payload objects as the
 * exact text of the line, the silver rows are identical to the fused ones (except processed_at).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { accountingPath, bronzeEvents, ERROR_CODES, GhlakeError, partitionFile, type HourKey } from '@ghlake/core';
import { ERA_EVENTS_API, ERA_TIMELINE, StagedFiles, type AccountingRecord, type RawHourResult } from '@ghlake/bronze';
import { BronzeRowEvent, type BronzeEventRow } from './event-input.js';
import { SilverHourWriter, type SilverHourMetrics } from './write-silver.js';

export interface FromBronzeTask {
  hour: string;
  lake: string;
  silverRowGroupRows: number;
}

export type FromBronzeResult = RawHourResult<SilverHourMetrics>;

const COLUMNS = ['event_id', 'event_type', 'created_at', 'event_hash', 'actor', 'repo', 'org', 'payload', 'public', 'other'];
/** Read when the file has it: bronze written before issue 14 has no `era` (every row of it is Events API). */
const OPTIONAL_COLUMNS = ['era'];

function toMs(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'bigint') return Number(v / 1000n); // raw TIMESTAMP(MICROS)
  return Number(v);
}

function toId(v: unknown): number | bigint {
  // Timeline events have synthetic ids down to -2^63: only safe integers become numbers.
  if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
  return v as number;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A bronze.events row (as hyparquet reads it) in the shape `BronzeRowEvent` reads. */
export function bronzeEventRow(row: Record<string, unknown>): BronzeEventRow {
  return {
    event_id: toId(row.event_id),
    event_type: row.event_type as string,
    created_at_ms: toMs(row.created_at),
    event_hash: row.event_hash as string,
    actor: text(row.actor),
    repo: text(row.repo),
    org: text(row.org),
    payload: text(row.payload),
    public: typeof row.public === 'boolean' ? row.public : null,
    other: text(row.other),
    era: row.era === ERA_TIMELINE ? ERA_TIMELINE : ERA_EVENTS_API,
  };
}

export async function silverFromBronzeHour(task: FromBronzeTask): Promise<FromBronzeResult> {
  const started = performance.now();
  const hour = task.hour as HourKey;
  const bronzeFile = partitionFile(task.lake, 'bronze', bronzeEvents.name, hour);
  let record: AccountingRecord;
  try {
    record = JSON.parse(await fs.readFile(accountingPath(task.lake, hour), 'utf8')) as AccountingRecord;
    await fs.access(bronzeFile);
  } catch {
    throw new GhlakeError(ERROR_CODES.HOUR_MISSING, `no complete bronze partition for hour ${hour} in ${path.resolve(task.lake)}`, {
      hint: `build it first: ghlake bronze --from ${hour} --to ${hour} --lake ${task.lake}`,
      details: { hour, bronzeFile },
    });
  }
  const staged = new StagedFiles();
  try {
    const writer = await SilverHourWriter.open(staged, task.lake, hour, Date.now(), task.silverRowGroupRows);
    const file = await asyncBufferFromFile(bronzeFile);
    const event = new BronzeRowEvent();
    const metadata = await parquetMetadataAsync(file);
    const present = new Set(metadata.schema.map((c) => c.name));
    const columns = [...COLUMNS, ...OPTIONAL_COLUMNS.filter((c) => present.has(c))];
    let rowStart = 0;
    let bronzeRows = 0;
    let readMs = 0;
    let parseMs = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      const t0 = performance.now();
      const rows = (await parquetReadObjects({ file, metadata, columns, rowStart, rowEnd })) as Record<string, unknown>[];
      const t1 = performance.now();
      for (const row of rows) writer.add(event.read(bronzeEventRow(row)));
      bronzeRows += rows.length;
      await writer.drain();
      parseMs += performance.now() - t1;
      readMs += t1 - t0;
      rowStart = rowEnd;
    }
    const t2 = performance.now();
    const metrics = await writer.close();
    const bronzeDuplicates = record.accounting.duplicates as number | undefined; // absent in accounting written before it was counted
    if (
      metrics.events + metrics.duplicates !== bronzeRows ||
      bronzeRows !== record.accounting.events ||
      (bronzeDuplicates !== undefined && bronzeDuplicates !== metrics.duplicates)
    ) {
      throw new GhlakeError(
        ERROR_CODES.RECONCILIATION,
        `hour ${hour}: silver events ${metrics.events} + duplicates ${metrics.duplicates} != bronze rows ${bronzeRows} (accounting says ${record.accounting.events})`,
        {
          hint: "rebuild the hour's bronze partition with ghlake bronze; if it persists, report it",
          details: { hour, silver: metrics, bronzeRows, accountingEvents: record.accounting.events },
        },
      );
    }
    const files = await staged.commit();
    const writeMs = performance.now() - t2;
    const totalMs = performance.now() - started;
    return {
      hour,
      sourceFile: record.sourceFile,
      status: record.damage ? 'damaged' : 'ok',
      damage: record.damage,
      compressedBytes: 0,
      accounting: record.accounting,
      extension: metrics,
      files: files.map((f) => ({ table: f.table, path: f.path, rows: f.rows, bytes: f.bytes })),
      timings: { totalMs, parseMs, writeMs, readMs },
    };
  } catch (error) {
    await staged.abort();
    throw error;
  }
}
