/**
 * Distinct events → silver.events and silver.payload_details rows.
 *
 * Dedup key: (event_id, event_type, created_at); the first occurrence in line order is kept
 * (deterministic: an hour is one sequential pass whatever the pool does). Both tables get the
 * same rows. Values follow core's writer conventions (TIMESTAMP epoch ms).
 */
import { silverEvents, silverPayloadDetails, type ColumnarBatch } from '@ghlake/core';
import { DedupKeys, slotOf } from '@ghlake/bronze';
import type { SilverEventInput } from './event-input.js';

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

type Columns = Record<string, unknown[]>;
const empty = (cols: readonly { name: string }[]): Columns => Object.fromEntries(cols.map((c) => [c.name, []]));

// Members below an object are recorded only when it is an object: `payload.issue.id` is set only
// when the payload and its issue are objects, which is the rule ("wherever present").
const ACTOR_ID = slotOf('actor.id');
const ACTOR_LOGIN = slotOf('actor.login');
const REPO_ID = slotOf('repo.id');
const ORG_ID = slotOf('org.id');
const PUBLIC = slotOf('public');
const PAYLOAD = slotOf('payload');
const P = {
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

export class SilverEventRows {
  private events: Columns = empty(silverEvents.columns);
  private details: Columns = empty(silverPayloadDetails.columns);
  private readonly keys = new DedupKeys();
  rowCount = 0;
  /** Events dropped as duplicates of an earlier line of the hour. */
  duplicates = 0;

  constructor(private readonly processedAtMs: number) {}

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
    const ev = this.events;
    ev.event_id!.push(e.eventId);
    ev.event_hash!.push(e.hash);
    ev.event_type!.push(e.eventType);
    ev.created_at!.push(e.createdAtMs);
    ev.actor_id!.push(f.int(ACTOR_ID));
    ev.repo_id!.push(f.int(REPO_ID));
    ev.org_id!.push(f.int(ORG_ID));
    ev.is_bot!.push(isBot(f.str(ACTOR_LOGIN)));
    ev.public!.push(f.bool(PUBLIC));
    ev.hour_bucket!.push(Math.floor(e.createdAtMs / HOUR_MS) * HOUR_MS);
    ev.processed_at!.push(this.processedAtMs);

    const d = this.details;
    const push = e.eventType === 'PushEvent';
    d.event_id!.push(e.eventId);
    d.event_type!.push(e.eventType);
    d.payload_action!.push(f.str(P.action));
    d.payload_issue_id!.push(f.int(P.issueId));
    d.payload_pull_request_id!.push(f.int(P.pullRequestId));
    d.payload_comment_id!.push(f.int(P.commentId));
    d.payload_push_size!.push(push ? f.int(P.size) : null);
    d.payload_ref!.push(f.str(P.ref));
    d.payload_ref_type!.push(f.str(P.refType));
    d.payload_head!.push(f.str(P.head));
    d.payload_before!.push(f.str(P.before));
    d.payload_size!.push(f.byteLength(PAYLOAD));
    d.payload_distinct_size!.push(push ? f.int(P.distinctSize) : null);
    d.payload_pull_request_merged!.push(f.bool(P.pullRequestMerged));
    d.created_at!.push(e.createdAtMs);
    this.rowCount++;
    return true;
  }

  /** Rows added since the last take, for both tables; the builder starts empty again. */
  take(): { events: ColumnarBatch; details: ColumnarBatch } {
    const out = { events: { rowCount: this.rowCount, columns: this.events }, details: { rowCount: this.rowCount, columns: this.details } };
    this.events = empty(silverEvents.columns);
    this.details = empty(silverPayloadDetails.columns);
    this.rowCount = 0;
    return out;
  }
}
