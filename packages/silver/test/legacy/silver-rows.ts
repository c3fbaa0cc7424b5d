/** LEGACY reference (the JSON.parse path before issue 17), kept only for the differential test; deleted with it. */
/**
 * Distinct events → silver.events and silver.payload_details rows.
 *
 * Dedup key: (event_id, event_type, created_at); the first occurrence in line order is kept
 * (deterministic: an hour is one sequential pass whatever the pool does). Both tables get the
 * same rows. Values follow core's writer conventions (TIMESTAMP epoch ms).
 */
import { silverEvents, silverPayloadDetails, type ColumnarBatch } from '@ghlake/core';
import { DedupKeys } from '@ghlake/bronze';
import { asBool, asInt, asObject, asString, type SilverEventInput } from './event-input.js';

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

export class SilverEventRows {
  private events: Columns = empty(silverEvents.columns);
  private details: Columns = empty(silverPayloadDetails.columns);
  private readonly keys = new DedupKeys();
  rowCount = 0;
  /** Events dropped as duplicates of an earlier line of the hour. */
  duplicates = 0;

  constructor(private readonly processedAtMs: number) {}

  /** Add an event; false when it duplicates one already added. */
  add(e: SilverEventInput): boolean {
    if (e.duplicate ?? this.keys.seen(e)) {
      this.duplicates++;
      return false;
    }
    const ev = this.events;
    const actorLogin = e.actor ? asString(e.actor.login) : null;
    ev.event_id!.push(e.eventId);
    ev.event_hash!.push(e.hash);
    ev.event_type!.push(e.eventType);
    ev.created_at!.push(e.createdAtMs);
    ev.actor_id!.push(e.actor ? asInt(e.actor.id) : null);
    ev.repo_id!.push(e.repo ? asInt(e.repo.id) : null);
    ev.org_id!.push(e.org ? asInt(e.org.id) : null);
    ev.is_bot!.push(isBot(actorLogin));
    ev.public!.push(e.public);
    ev.hour_bucket!.push(Math.floor(e.createdAtMs / HOUR_MS) * HOUR_MS);
    ev.processed_at!.push(this.processedAtMs);

    const d = this.details;
    const p = asObject(e.payload);
    const push = e.eventType === 'PushEvent';
    d.event_id!.push(e.eventId);
    d.event_type!.push(e.eventType);
    d.payload_action!.push(p ? asString(p.action) : null);
    d.payload_issue_id!.push(p ? idOf(p.issue) : null);
    d.payload_pull_request_id!.push(p ? idOf(p.pull_request) : null);
    d.payload_comment_id!.push(p ? idOf(p.comment) : null);
    d.payload_push_size!.push(p && push ? asInt(p.size) : null);
    d.payload_ref!.push(p ? asString(p.ref) : null);
    d.payload_ref_type!.push(p ? asString(p.ref_type) : null);
    d.payload_head!.push(p ? asString(p.head) : null);
    d.payload_before!.push(p ? asString(p.before) : null);
    d.payload_size!.push(e.payloadBytes);
    d.payload_distinct_size!.push(p && push ? asInt(p.distinct_size) : null);
    const pr = p ? asObject(p.pull_request) : null;
    d.payload_pull_request_merged!.push(pr ? asBool(pr.merged) : null);
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

function idOf(v: unknown): number | null {
  const o = asObject(v);
  return o ? asInt(o.id) : null;
}
