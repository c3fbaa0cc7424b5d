/**
 * Streams an hour's silver tables into staged files (`<lake>/_state/staged/`, published by silver
 * consolidation, see consolidate/): silver.events and silver.payload_details
 * as rows come (memory bounded), the three observation tables at the end of the hour.
 */
import {
  stagedPartitionFile,
  silverActorObservations,
  silverEvents,
  silverOrganizationObservations,
  silverPayloadDetails,
  silverRepositoryObservations,
  type HourKey,
  type ColumnarBatch,
  type TableDecl,
  type TableFileWriter,
} from '@ghlake/core';
import type { StagedFile, StagedFiles } from '@ghlake/bronze';
import type { SilverEventInput } from './event-input.js';
import { HourObservations } from './observations.js';
import { SilverEventRows } from './silver-rows.js';

export interface SilverHourMetrics {
  /** Distinct events written to silver.events (and payload_details). */
  events: number;
  /** Events dropped as duplicates within the hour. */
  duplicates: number;
  actors: number;
  repositories: number;
  organizations: number;
  /** Events per type in silver.events. */
  eventsByType: Record<string, number>;
}

type Out = { writer: TableFileWriter; close: () => Promise<StagedFile> };

export class SilverHourWriter {
  private readonly rows: SilverEventRows;
  private readonly observations = new HourObservations();
  private readonly byType: Record<string, number> = {};
  private distinct = 0;

  private constructor(
    private readonly staged: StagedFiles,
    private readonly lake: string,
    private readonly hour: HourKey,
    private readonly eventsOut: Out,
    private readonly detailsOut: Out,
    processedAtMs: number,
    rowGroupRows: number,
  ) {
    this.rows = new SilverEventRows(processedAtMs, rowGroupRows);
  }

  static async open(staged: StagedFiles, lake: string, hour: HourKey, processedAtMs: number, rowGroupRows = 65_536): Promise<SilverHourWriter> {
    const eventsOut = await staged.openTable(silverEvents, stagedPartitionFile(lake, silverEvents.name, hour), { rowGroupRows });
    const detailsOut = await staged.openTable(silverPayloadDetails, stagedPartitionFile(lake, silverPayloadDetails.name, hour), { rowGroupRows });
    return new SilverHourWriter(staged, lake, hour, eventsOut, detailsOut, processedAtMs, rowGroupRows);
  }

  /** `duplicate`: decided by the reader of the hour (fused path); undefined: silver decides. */
  add(e: SilverEventInput, duplicate?: boolean): void {
    if (!this.rows.add(e, duplicate)) return;
    this.distinct++;
    this.byType[e.eventType] = (this.byType[e.eventType] ?? 0) + 1;
    this.observations.add(e);
  }

  async drain(force = false): Promise<void> {
    await this.rows.drain(async (events, details) => {
      await this.eventsOut.writer.append(events);
      await this.detailsOut.writer.append(details);
    }, force);
  }

  /** Close every silver table of the hour (staged, not yet visible). */
  async close(): Promise<SilverHourMetrics> {
    await this.drain(true);
    await this.eventsOut.close();
    await this.detailsOut.close();
    const obs = this.observations.batches();
    await this.writeWhole(silverActorObservations, obs.actors);
    await this.writeWhole(silverRepositoryObservations, obs.repositories);
    await this.writeWhole(silverOrganizationObservations, obs.organizations);
    const counts = this.observations.counts;
    this.observations.release();
    return { events: this.distinct, duplicates: this.rows.duplicates, ...counts, eventsByType: sortKeys(this.byType) };
  }

  private async writeWhole(table: TableDecl, batch: ColumnarBatch): Promise<void> {
    const out = await this.staged.openTable(table, stagedPartitionFile(this.lake, table.name, this.hour), { rowGroupRows: Math.max(batch.rowCount, 1) });
    await out.writer.append(batch);
    await out.close();
  }
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
