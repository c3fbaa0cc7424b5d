/**
 * Streams an hour's bronze rows into staged Parquet files (bronze.events and
 * bronze.quarantine) plus `_accounting.json` beside the events partition. Rows are handed to
 * the writer in small batches; the writer encodes a row group each time `rowGroupRows` fill,
 * so memory holds at most one row group per table, whatever the hour's size.
 */
import { RowGroupQueue, bronzeEvents, bronzeQuarantine, partitionFile, type HourKey, type TableFileWriter } from '@ghlake/core';
import type { LineAccounting } from './accounting.js';
import { BronzeEventBatch, BronzeQuarantineBatch } from './bronze-rows.js';
import type { EventView, QuarantinedFragment } from './event-reader.js';
import type { StagedFile, StagedFiles } from './staged-files.js';

export interface BronzeWriteOptions {
  /** Rows per bronze.events row group (bounds memory: ~4 KB per 2024 event). */
  rowGroupRows: number;
}

/** Quarantine rows are handed to the writer at this size (arrays: quarantine is rare). */
const HANDOFF_ROWS = 1024;

export class BronzeHourWriter {
  private readonly events: RowGroupQueue<BronzeEventBatch>;
  private readonly quarantine: BronzeQuarantineBatch;
  eventRows = 0;
  quarantineRows = 0;

  private constructor(
    private readonly eventsOut: { writer: TableFileWriter; close: () => Promise<StagedFile> },
    private readonly quarantineOut: { writer: TableFileWriter; close: () => Promise<StagedFile> },
    sourceFile: string,
    writtenAtMs: number,
    rowGroupRows: number,
  ) {
    this.events = new RowGroupQueue(() => new BronzeEventBatch(sourceFile, writtenAtMs), rowGroupRows);
    this.quarantine = new BronzeQuarantineBatch(sourceFile, writtenAtMs);
  }

  static async open(
    staged: StagedFiles,
    lake: string,
    hour: HourKey,
    sourceFile: string,
    writtenAtMs: number,
    options: BronzeWriteOptions,
  ): Promise<BronzeHourWriter> {
    const eventsOut = await staged.openTable(bronzeEvents, partitionFile(lake, 'bronze', bronzeEvents.name, hour), { rowGroupRows: options.rowGroupRows });
    const quarantineOut = await staged.openTable(bronzeQuarantine, partitionFile(lake, 'bronze', bronzeQuarantine.name, hour), {
      rowGroupRows: options.rowGroupRows,
    });
    return new BronzeHourWriter(eventsOut, quarantineOut, sourceFile, writtenAtMs, options.rowGroupRows);
  }

  event(ev: EventView): void {
    this.events.current.add(ev);
    this.events.added();
  }

  quarantined(q: QuarantinedFragment): void {
    this.quarantine.add(q);
  }

  /** Hand full batches to the writers (call between chunks). */
  async drain(force = false): Promise<void> {
    this.eventRows += await this.events.drain((set) => this.eventsOut.writer.append(set.batch()), force);
    if (this.quarantine.rowCount >= HANDOFF_ROWS || (force && this.quarantine.rowCount > 0)) {
      const batch = this.quarantine.take();
      this.quarantineRows += batch.rowCount;
      await this.quarantineOut.writer.append(batch);
    }
  }

  /** Flush and close both tables (staged, not yet visible). */
  async close(): Promise<{ events: StagedFile; quarantine: StagedFile }> {
    await this.drain(true);
    const events = await this.eventsOut.close();
    const quarantine = await this.quarantineOut.close();
    return { events, quarantine };
  }
}

/** What `_accounting.json` holds. */
export interface AccountingRecord {
  hour: string;
  sourceFile: string;
  accounting: LineAccounting;
  damage: { code: string; message: string } | null;
  writtenAt: string;
}
