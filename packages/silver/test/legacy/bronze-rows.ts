/** LEGACY reference (the JSON.parse path before issue 17), kept only for the differential test; deleted with it. */
/**
 * Parsed events and quarantined fragments → column arrays of bronze.events and
 * bronze.quarantine (core's writer value conventions: TIMESTAMP epoch ms, BLOB Uint8Array).
 * Batches are small and handed to the streaming writer as they fill, so an hour's rows are
 * never all in memory.
 */
import { bronzeEvents, bronzeQuarantine, type ColumnarBatch } from '@ghlake/core';
import type { ParsedEvent, QuarantinedFragment } from './parse-line.js';

type Columns = Record<string, unknown[]>;

function emptyColumns(names: readonly { name: string }[]): Columns {
  return Object.fromEntries(names.map((c) => [c.name, []]));
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function int(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
}

function obj(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export class BronzeEventBatch {
  private cols: Columns = emptyColumns(bronzeEvents.columns);
  rowCount = 0;

  constructor(
    private readonly sourceFile: string,
    private readonly ingestedAtMs: number,
  ) {}

  add(ev: ParsedEvent): void {
    const c = this.cols;
    const actor = obj(ev.obj.actor);
    const repo = obj(ev.obj.repo);
    const org = obj(ev.obj.org);
    c.event_id!.push(ev.eventId);
    c.event_type!.push(ev.eventType);
    c.created_at!.push(ev.createdAtMs);
    c.actor_id!.push(actor ? int(actor.id) : null);
    c.actor_login!.push(actor ? str(actor.login) : null);
    c.repo_id!.push(repo ? int(repo.id) : null);
    c.repo_name!.push(repo ? str(repo.name) : null);
    c.org_id!.push(org ? int(org.id) : null);
    c.org_login!.push(org ? str(org.login) : null);
    c.public!.push(typeof ev.obj.public === 'boolean' ? ev.obj.public : null);
    // The payload (distinct per event, most of the bytes) goes to the writer as the line's own
    // UTF-8 bytes: never decoded or re-encoded. actor/repo/org repeat within an hour and are
    // dictionary-encoded by the writer, which dedups strings natively but byte arrays with a
    // JS hash: they go as (small, independent) strings.
    c.payload!.push(ev.payloadJson);
    c.other!.push(ev.otherText);
    c.actor!.push(ev.actorText);
    c.repo!.push(ev.repoText);
    c.org!.push(ev.orgText);
    c.event_hash!.push(ev.hash);
    c.source_file!.push(this.sourceFile);
    c.source_line!.push(ev.sourceLine);
    c.fragment!.push(ev.fragment);
    c.ingested_at!.push(this.ingestedAtMs);
    this.rowCount++;
  }

  /** The rows so far as a batch; the builder starts empty again. */
  take(): ColumnarBatch {
    const batch = { rowCount: this.rowCount, columns: this.cols };
    this.cols = emptyColumns(bronzeEvents.columns);
    this.rowCount = 0;
    return batch;
  }
}

export class BronzeQuarantineBatch {
  private cols: Columns = emptyColumns(bronzeQuarantine.columns);
  rowCount = 0;

  constructor(
    private readonly sourceFile: string,
    private readonly quarantinedAtMs: number,
  ) {}

  add(q: QuarantinedFragment): void {
    const c = this.cols;
    c.source_file!.push(this.sourceFile);
    c.source_line!.push(q.sourceLine);
    c.fragment!.push(q.fragment);
    c.reason!.push(q.reason);
    c.detail!.push(q.detail);
    c.raw!.push(new Uint8Array(q.raw.buffer, q.raw.byteOffset, q.raw.byteLength));
    c.raw_length!.push(q.raw.length);
    c.quarantined_at!.push(this.quarantinedAtMs);
    this.rowCount++;
  }

  take(): ColumnarBatch {
    const batch = { rowCount: this.rowCount, columns: this.cols };
    this.cols = emptyColumns(bronzeQuarantine.columns);
    this.rowCount = 0;
    return batch;
  }
}
