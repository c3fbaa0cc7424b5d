/**
 * Events read from the line bytes → bronze.events row groups (column vectors); quarantined
 * fragments → bronze.quarantine rows (arrays: rare). Row groups are handed to the streaming
 * writer as they fill, so an hour's rows are never all in memory.
 */
import {
  BoolColumn,
  BytesColumn,
  DictColumn,
  NumberColumn,
  bronzeEvents,
  bronzeQuarantine,
  type ColumnVector,
  type ColumnarBatch,
  type VectorRows,
} from '@ghlake/core';
import type { EventView, QuarantinedFragment } from './event-reader.js';
import { slotOf } from './event-fields.js';
import { KIND_ABSENT, KIND_STRING } from './json-reader.js';
import { ERA_TIMELINE, timelineRepoName } from './timeline.js';

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
const ATTRIBUTES_ID = slotOf('actor_attributes.id');
const ATTRIBUTES_LOGIN = slotOf('actor_attributes.login');
const REPOSITORY_ID = slotOf('repository.id');
const REPOSITORY_ORGANIZATION = slotOf('repository.organization');

/**
 * One row group of bronze.events as column vectors (core/parquet/columns.ts). The payload (distinct
 * per event, most of the bytes) is copied as the line's own bytes, never decoded; texts that repeat
 * within an hour (types, logins, names, the actor/repo/org objects) are interned by their bytes
 * into the row group's dictionaries.
 */
export class BronzeEventBatch implements VectorRows {
  rowCount = 0;
  private readonly c = {
    event_id: new NumberColumn(),
    event_type: new DictColumn(),
    created_at: new NumberColumn(),
    actor_id: new NumberColumn(),
    actor_login: new DictColumn(),
    repo_id: new NumberColumn(),
    repo_name: new DictColumn(),
    org_id: new NumberColumn(),
    org_login: new DictColumn(),
    public: new BoolColumn(),
    payload: new BytesColumn(),
    other: new BytesColumn(),
    actor: new DictColumn(),
    repo: new DictColumn(),
    org: new DictColumn(),
    event_hash: new BytesColumn(),
    source_file: new DictColumn(),
    source_line: new NumberColumn(),
    fragment: new NumberColumn(),
    era: new DictColumn(),
    ingested_at: new NumberColumn(),
  } satisfies Record<(typeof bronzeEvents.columns)[number]['name'], ColumnVector>;

  constructor(
    private readonly sourceFile: string,
    private readonly ingestedAtMs: number,
  ) {}

  add(ev: EventView): void {
    const c = this.c;
    const f = ev.fields;
    if (typeof ev.eventId === 'bigint') c.event_id.pushBig(ev.eventId);
    else c.event_id.push(ev.eventId);
    c.event_type.pushString(ev.eventType);
    c.created_at.push(ev.createdAtMs);
    if (ev.era === ERA_TIMELINE) this.timelineIdentity(ev);
    else {
      // Members below actor/repo/org are recorded only when those are objects.
      c.actor_id.push(f.int(ACTOR_ID));
      f.pushStr(ACTOR_LOGIN, c.actor_login);
      c.repo_id.push(f.int(REPO_ID));
      f.pushStr(REPO_NAME, c.repo_name);
      c.org_id.push(f.int(ORG_ID));
      f.pushStr(ORG_LOGIN, c.org_login);
    }
    c.public.push(f.bool(PUBLIC));
    // The payload and the actor/repo/org texts point into the decompressed chunk (written to the page from there, not copied twice).
    if (f.kindOf(PAYLOAD) === KIND_ABSENT) c.payload.pushNull();
    else c.payload.pushRef(f.buf, f.start[PAYLOAD]!, f.end[PAYLOAD]!);
    c.other.pushString(ev.otherText());
    f.pushTextRef(ACTOR, c.actor);
    f.pushTextRef(REPO, c.repo);
    f.pushTextRef(ORG, c.org);
    ev.pushHash(c.event_hash);
    c.source_file.pushString(this.sourceFile);
    c.source_line.push(ev.sourceLine);
    c.fragment.push(ev.fragment);
    c.era.pushString(ev.era);
    c.ingested_at.push(this.ingestedAtMs);
    this.rowCount++;
  }

  /**
   * The identity columns of a Timeline line, as the line holds them (docs/transform.md, Timeline):
   * the numeric actor id only where `actor_attributes` carries one, the login from `actor`,
   * repo from `repository` (`owner/name`), org login from `repository.organization` (no org id).
   * Synthetic and resolved ids are silver's decision, not bronze's.
   */
  private timelineIdentity(ev: EventView): void {
    const c = this.c;
    const f = ev.fields;
    c.actor_id.push(f.int(ATTRIBUTES_ID));
    if (f.kindOf(ACTOR) === KIND_STRING) f.pushStr(ACTOR, c.actor_login);
    else f.pushStr(ATTRIBUTES_LOGIN, c.actor_login);
    c.repo_id.push(f.int(REPOSITORY_ID));
    c.repo_name.pushString(timelineRepoName(f));
    c.org_id.push(null);
    f.pushStr(REPOSITORY_ORGANIZATION, c.org_login);
  }

  batch(): { rowCount: number; columns: Record<string, ColumnVector> } {
    return { rowCount: this.rowCount, columns: this.c };
  }

  clear(): void {
    for (const v of Object.values(this.c)) v.clear();
    this.rowCount = 0;
  }

  /** The rows so far as a batch (tests: a fresh builder goes on). */
  take(): ColumnarBatch {
    return this.batch();
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
