/**
 * Events read from the line bytes and quarantined fragments → column arrays of bronze.events and
 * bronze.quarantine (core's writer value conventions: TIMESTAMP epoch ms, BLOB Uint8Array).
 * Batches are small and handed to the streaming writer as they fill, so an hour's rows are
 * never all in memory.
 */
import { bronzeEvents, bronzeQuarantine, type ColumnarBatch } from '@ghlake/core';
import type { EventView, QuarantinedFragment } from './event-reader.js';
import { slotOf } from './event-fields.js';
import { KIND_ABSENT } from './json-reader.js';

type Columns = Record<string, unknown[]>;

function emptyColumns(names: readonly { name: string }[]): Columns {
  return Object.fromEntries(names.map((c) => [c.name, []]));
}

const ACTOR = slotOf('actor');
const ACTOR_ID = slotOf('actor.id');
const ACTOR_LOGIN = slotOf('actor.login');
const REPO = slotOf('repo');
const REPO_ID = slotOf('repo.id');
const REPO_NAME = slotOf('repo.name');
const ORG = slotOf('org');
const ORG_ID = slotOf('org.id');
const ORG_LOGIN = slotOf('org.login');
const PUBLIC = slotOf('public');
const PAYLOAD = slotOf('payload');

export class BronzeEventBatch {
  private cols: Columns = emptyColumns(bronzeEvents.columns);
  rowCount = 0;

  constructor(
    private readonly sourceFile: string,
    private readonly ingestedAtMs: number,
  ) {}

  add(ev: EventView): void {
    const c = this.cols;
    const f = ev.fields;
    const b = f.buf;
    const actor = f.kindOf(ACTOR);
    const repo = f.kindOf(REPO);
    const org = f.kindOf(ORG);
    const payload = f.kindOf(PAYLOAD);
    c.event_id!.push(ev.eventId);
    c.event_type!.push(ev.eventType);
    c.created_at!.push(ev.createdAtMs);
    // Members below actor/repo/org are recorded only when those are objects.
    c.actor_id!.push(f.int(ACTOR_ID));
    c.actor_login!.push(f.str(ACTOR_LOGIN));
    c.repo_id!.push(f.int(REPO_ID));
    c.repo_name!.push(f.str(REPO_NAME));
    c.org_id!.push(f.int(ORG_ID));
    c.org_login!.push(f.str(ORG_LOGIN));
    c.public!.push(f.bool(PUBLIC));
    // The payload (distinct per event, most of the bytes) goes to the writer as the line's own
    // UTF-8 bytes: never decoded or re-encoded. actor/repo/org repeat within an hour and are
    // dictionary-encoded by the writer, which dedups strings natively: they go as strings.
    c.payload!.push(payload === KIND_ABSENT ? null : b.subarray(f.start[PAYLOAD]!, f.end[PAYLOAD]!));
    c.other!.push(ev.otherText());
    c.actor!.push(actor === KIND_ABSENT ? null : b.toString('utf8', f.start[ACTOR]!, f.end[ACTOR]!));
    c.repo!.push(repo === KIND_ABSENT ? null : b.toString('utf8', f.start[REPO]!, f.end[REPO]!));
    c.org!.push(org === KIND_ABSENT ? null : b.toString('utf8', f.start[ORG]!, f.end[ORG]!));
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
