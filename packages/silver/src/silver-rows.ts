/**
 * Distinct events → silver.events and silver.payload_details rows.
 *
 * Dedup key: (event_id, event_type, created_at); the first occurrence in line order is kept
 * (deterministic: an hour is one sequential pass whatever the pool does). Both tables get the
 * same rows, built as column vectors (core/parquet/columns.ts), one row group at a time.
 */
import {
  BoolColumn,
  BytesColumn,
  DictColumn,
  NumberColumn,
  RowGroupQueue,
  silverEvents,
  silverPayloadDetails,
  type ColumnVector,
  type ColumnarBatch,
  type VectorRows,
} from '@ghlake/core';
import { DedupKeys, ERA_TIMELINE, KIND_NUMBER, KIND_STRING, slotOf, type JsonReader } from '@ghlake/bronze';
import type { SilverEventInput } from './event-input.js';
import { EventIdentity, ID_SOURCE_EVENT, ID_SOURCE_RESOLVED, ID_SOURCE_SYNTHETIC, type HourLogins } from './identity.js';

const HOUR_MS = 3_600_000;

/**
 * Bot logins: `[bot]` suffix (GitHub Apps), or `bot`/`robot` as a whole dash/underscore/dot
 * separated word at either end (`renovate-bot`, `k8s-ci-robot`, `bot-x`). `my-bottle`, `abbot`
 * and `robotframework` are not bots.
 */
const BOT_LOGIN = /\[bot\]$|(?:^|[-_.])(?:bot|robot)$|^(?:bot|robot)[-_.]/i;

export function isBot(login: string | null): boolean | null {
  return login === null ? null : BOT_LOGIN.test(login);
}

// Members below an object are recorded only when it is an object: `payload.issue.id` is set only
// when the payload and its issue are objects, which is the rule ("wherever present").
const ACTOR_ID = slotOf('actor.id');
const ACTOR_LOGIN = slotOf('actor.login');
const REPO_ID = slotOf('repo.id');
const ORG_ID = slotOf('org.id');
const PUBLIC = slotOf('public');
const PAYLOAD = slotOf('payload');
const REPOSITORY_ID = slotOf('repository.id');
const P = {
  issue: slotOf('payload.issue'),
  issueIdMember: slotOf('payload.issue_id'),
  commentIdMember: slotOf('payload.comment_id'),
  action: slotOf('payload.action'),
  issueId: slotOf('payload.issue.id'),
  pullRequestId: slotOf('payload.pull_request.id'),
  pullRequestMerged: slotOf('payload.pull_request.merged'),
  commentId: slotOf('payload.comment.id'),
  size: slotOf('payload.size'),
  distinctSize: slotOf('payload.distinct_size'),
  ref: slotOf('payload.ref'),
  refType: slotOf('payload.ref_type'),
  head: slotOf('payload.head'),
  before: slotOf('payload.before'),
};

const lower = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);
const isSeparator = (c: number): boolean => c === 45 || c === 95 || c === 46;

/** Do the bytes b[s, e) end (at === e) or start (at === s) with `word` (lowercase ASCII), case-insensitively? */
function wordAt(b: Uint8Array, s: number, e: number, word: string, atEnd: boolean): boolean {
  const n = word.length;
  if (e - s < n) return false;
  const from = atEnd ? e - n : s;
  for (let k = 0; k < n; k++) if (lower(b[from + k]!) !== word.charCodeAt(k)) return false;
  return true;
}

/**
 * isBot of the actor login slot, read from its bytes (the rule of `isBot`, whose letters are all
 * ASCII: a byte of a multi-byte character never matches them). An escaped login is decoded.
 */
function isBotOf(f: JsonReader, slot: number): boolean | null {
  if (f.kindOf(slot) !== KIND_STRING) return null;
  if (f.escaped[slot] === 1) return isBot(f.str(slot));
  const b = f.buf;
  const s = f.start[slot]! + 1;
  const e = f.end[slot]! - 1;
  if (wordAt(b, s, e, '[bot]', true)) return true;
  for (const word of ['bot', 'robot']) {
    const n = word.length;
    if (wordAt(b, s, e, word, true) && (e - s === n || isSeparator(b[e - n - 1]!))) return true;
    if (wordAt(b, s, e, word, false) && e - s > n && isSeparator(b[s + n]!)) return true;
  }
  return false;
}

/** One row group of both tables. */
class SilverColumns implements VectorRows {
  rowCount = 0;
  readonly events = {
    event_id: new NumberColumn(),
    event_hash: new BytesColumn(),
    event_type: new DictColumn(),
    created_at: new NumberColumn(),
    actor_id: new NumberColumn(),
    actor_id_source: new DictColumn(),
    repo_id: new NumberColumn(),
    org_id: new NumberColumn(),
    org_id_source: new DictColumn(),
    is_bot: new BoolColumn(),
    public: new BoolColumn(),
    hour_bucket: new NumberColumn(),
    processed_at: new NumberColumn(),
  } satisfies Record<(typeof silverEvents.columns)[number]['name'], ColumnVector>;
  readonly details = {
    event_id: new NumberColumn(),
    event_type: new DictColumn(),
    payload_action: new DictColumn(),
    payload_issue_id: new NumberColumn(),
    payload_pull_request_id: new NumberColumn(),
    payload_comment_id: new NumberColumn(),
    payload_push_size: new NumberColumn(),
    payload_ref: new DictColumn(),
    payload_ref_type: new DictColumn(),
    payload_head: new BytesColumn(),
    payload_before: new BytesColumn(),
    payload_size: new NumberColumn(),
    payload_distinct_size: new NumberColumn(),
    payload_pull_request_merged: new BoolColumn(),
    created_at: new NumberColumn(),
  } satisfies Record<(typeof silverPayloadDetails.columns)[number]['name'], ColumnVector>;

  batch(): { rowCount: number; columns: Record<string, ColumnVector> } {
    return { rowCount: this.rowCount, columns: this.events };
  }

  detailsBatch(): { rowCount: number; columns: Record<string, ColumnVector> } {
    return { rowCount: this.rowCount, columns: this.details };
  }

  clear(): void {
    for (const v of Object.values(this.events)) v.clear();
    for (const v of Object.values(this.details)) v.clear();
    this.rowCount = 0;
  }

  /** Re-key synthetic actor/org ids whose login the hour resolved (identity.ts); the number of ids re-keyed. */
  rekey(logins: HourLogins): number {
    let n = 0;
    const ev = this.events;
    for (const [id, source] of [
      [ev.actor_id, ev.actor_id_source],
      [ev.org_id, ev.org_id_source],
    ] as const) {
      const synthetic = source.entryOf(ID_SOURCE_SYNTHETIC);
      if (synthetic < 0) continue;
      const resolved: number[] = [];
      for (let i = 0; i < this.rowCount; i++) {
        if (source.indexes[i] !== synthetic) continue;
        const real = logins.realIdOf(id.values[i]!);
        if (real === undefined) continue;
        id.values[i] = real;
        resolved.push(i);
      }
      source.replace(resolved, ID_SOURCE_RESOLVED);
      n += resolved.length;
    }
    return n;
  }
}

/** Pre-2015 payloads: the issue as its id (an integer `issue`) or `issue_id`; later ones `issue.id`. */
function issueIdOf(f: JsonReader): number | null {
  const id = f.int(P.issueId);
  if (id !== null) return id;
  return f.kindOf(P.issue) === KIND_NUMBER ? f.int(P.issue) : f.int(P.issueIdMember);
}

export class SilverEventRows {
  private readonly keys = new DedupKeys();
  private readonly identity = new EventIdentity();
  private readonly queue: RowGroupQueue<SilverColumns>;
  /** Row groups holding Timeline rows: kept until the hour ends, when synthetic ids are re-keyed. */
  private readonly timelineSets: SilverColumns[] = [];
  /** Events dropped as duplicates of an earlier line of the hour. */
  duplicates = 0;
  /** Timeline actor/org ids re-keyed from synthetic to a real id the hour resolved elsewhere. */
  rekeyed = 0;

  /** `rowGroupRows`: rows per row group of both tables (tests: everything in one). */
  constructor(
    private readonly processedAtMs: number,
    rowGroupRows = Number.MAX_SAFE_INTEGER,
  ) {
    this.queue = new RowGroupQueue(() => new SilverColumns(), rowGroupRows);
  }

  /** Rows in the row group being filled. */
  get rowCount(): number {
    return this.queue.current.rowCount;
  }

  /**
   * Add an event; false when it duplicates one already added. `duplicate`: already decided by
   * whoever read the hour (the fused path's transform keeps the hour's dedup keys); undefined:
   * silver decides with its own set of keys.
   */
  add(e: SilverEventInput, duplicate?: boolean): boolean {
    if (duplicate ?? this.keys.seen(e)) {
      this.duplicates++;
      return false;
    }
    const f = e.fields;
    const set = this.queue.current;
    const ev = set.events;
    if (typeof e.eventId === 'bigint') ev.event_id.pushBig(e.eventId);
    else ev.event_id.push(e.eventId);
    e.pushHash(ev.event_hash);
    ev.event_type.pushString(e.eventType);
    ev.created_at.push(e.createdAtMs);
    if (e.era === ERA_TIMELINE) {
      if (!this.timelineSets.includes(set)) this.timelineSets.push(set);
      const id = this.identity.read(e);
      ev.actor_id.push(id.actorId);
      ev.actor_id_source.pushString(id.actorIdSource);
      ev.repo_id.push(f.int(REPOSITORY_ID));
      ev.org_id.push(id.orgId);
      ev.org_id_source.pushString(id.orgIdSource);
      ev.is_bot.push(isBot(id.actorLogin));
    } else {
      const actorId = f.int(ACTOR_ID);
      const orgId = f.int(ORG_ID);
      ev.actor_id.push(actorId);
      ev.actor_id_source.pushString(actorId === null ? null : ID_SOURCE_EVENT);
      ev.repo_id.push(f.int(REPO_ID));
      ev.org_id.push(orgId);
      ev.org_id_source.pushString(orgId === null ? null : ID_SOURCE_EVENT);
      ev.is_bot.push(isBotOf(f, ACTOR_LOGIN));
    }
    ev.public.push(f.bool(PUBLIC));
    ev.hour_bucket.push(Math.floor(e.createdAtMs / HOUR_MS) * HOUR_MS);
    ev.processed_at.push(this.processedAtMs);

    const d = set.details;
    const push = e.eventType === 'PushEvent';
    if (typeof e.eventId === 'bigint') d.event_id.pushBig(e.eventId);
    else d.event_id.push(e.eventId);
    d.event_type.pushString(e.eventType);
    f.pushStr(P.action, d.payload_action);
    d.payload_issue_id.push(issueIdOf(f));
    d.payload_pull_request_id.push(f.int(P.pullRequestId));
    d.payload_comment_id.push(f.int(P.commentId) ?? f.int(P.commentIdMember));
    d.payload_push_size.push(push ? f.int(P.size) : null);
    f.pushStr(P.ref, d.payload_ref);
    f.pushStr(P.refType, d.payload_ref_type);
    f.pushStr(P.head, d.payload_head);
    f.pushStr(P.before, d.payload_before);
    d.payload_size.push(f.byteLength(PAYLOAD));
    d.payload_distinct_size.push(push ? f.int(P.distinctSize) : null);
    d.payload_pull_request_merged.push(f.bool(P.pullRequestMerged));
    d.created_at.push(e.createdAtMs);
    set.rowCount++;
    this.queue.added();
    return true;
  }

  /** Write the full row groups (with `force` the partial one too). */
  async drain(write: (events: ColumnarBatch, details: ColumnarBatch) => Promise<void>, force = false): Promise<number> {
    if (this.timelineSets.length > 0) {
      // A login resolved later in the hour re-keys earlier rows: Timeline row groups wait for the hour's end
      // (Timeline hours hold ~3k-7k events: docs/transform.md).
      if (!force) return 0;
      if (this.identity.logins.size > 0) for (const set of this.timelineSets) this.rekeyed += set.rekey(this.identity.logins);
      this.timelineSets.length = 0;
    }
    return this.queue.drain((set) => write(set.batch(), set.detailsBatch()), force);
  }

  /** The rows of the row group being filled, for both tables, Timeline ids re-keyed as at the hour's end (tests). */
  take(): { events: ColumnarBatch; details: ColumnarBatch } {
    for (const set of this.timelineSets) this.rekeyed += set.rekey(this.identity.logins);
    this.timelineSets.length = 0;
    return { events: this.queue.current.batch(), details: this.queue.current.detailsBatch() };
  }
}
