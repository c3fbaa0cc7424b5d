/**
 * The pre-2015 Timeline API layout (about mid-2012 to 2014-12-31; spec/gharchive-facts.md, Eras):
 * no event `id`, `actor` a login string (null for anonymous Gists) with `actor_attributes`, a
 * `repository` object instead of `repo` (absent for Follow and Gist events), `created_at` with a
 * `-07:00`/`-08:00` offset. The rules that read it live here, one home for bronze and silver
 * (docs/transform.md, "Timeline API lines").
 */
import { createHash } from 'node:crypto';
import { slotOf } from './event-fields.js';
import { KIND_ABSENT, KIND_NULL, KIND_OBJECT, KIND_STRING, type JsonReader } from './json-reader.js';

/** The layout a line was read in (bronze.events `era`). */
export const ERA_EVENTS_API = 'events_api';
export const ERA_TIMELINE = 'timeline';
export type Era = typeof ERA_EVENTS_API | typeof ERA_TIMELINE;

const ACTOR = slotOf('actor');
const ACTOR_ATTRIBUTES = slotOf('actor_attributes');
const REPOSITORY = slotOf('repository');
const REPOSITORY_ID = slotOf('repository.id');
const REPOSITORY_NAME = slotOf('repository.name');
const REPOSITORY_OWNER = slotOf('repository.owner');
const URL = slotOf('url');
const PAYLOAD = slotOf('payload');
const TYPE = slotOf('type');

/**
 * Is the object just read (a line without an `id`) in the Timeline layout? `actor` a string or
 * null (anonymous Gists), or no actor but an `actor_attributes` or `repository` object. An Events
 * API line always has an `actor` object.
 */
export function isTimelineLayout(f: JsonReader): boolean {
  const actor = f.kindOf(ACTOR);
  if (actor === KIND_STRING || actor === KIND_NULL) return true;
  if (actor !== KIND_ABSENT) return false;
  return f.kindOf(ACTOR_ATTRIBUTES) === KIND_OBJECT || f.kindOf(REPOSITORY) === KIND_OBJECT;
}

/** Does the object carry Timeline members at all (for the `timeline_format` quarantine of a line that is neither layout)? */
export function hasTimelineMembers(f: JsonReader): boolean {
  return f.kindOf(ACTOR) === KIND_STRING || f.kindOf(ACTOR_ATTRIBUTES) !== KIND_ABSENT || f.kindOf(REPOSITORY) !== KIND_ABSENT;
}

const SEPARATOR = Buffer.from([0]);
const TIMELINE_TAG = Buffer.from('ghlake-timeline-event-v1');
const MASK_63 = (1n << 63n) - 1n;

/**
 * The synthetic `event_id` of a Timeline event without an id: -1 - (the first 63 bits of SHA-256
 * over its identifying content), so in [-2^63, -1] and never equal to a real (non-negative) id.
 * Identifying content, each part separated by a NUL byte: a version tag, the `type` member's bytes,
 * `created_at` as UTC epoch milliseconds (decimal), the `actor` member's bytes, `repository.id`'s
 * bytes, the top-level `url`'s bytes and the `payload` member's bytes (absent: empty). The
 * `repository` and `actor_attributes` snapshots are left out: they describe the repository and
 * the user at crawl time, not the event. Two copies of an event (two files, twice in one file, a
 * `}{` fragment) have the same id, and then dedup on (event_id, event_type, created_at) as ever.
 */
export function syntheticEventId(f: JsonReader, createdAtMs: number): bigint {
  const h = createHash('sha256');
  h.update(TIMELINE_TAG);
  for (const slot of [TYPE, -1, ACTOR, REPOSITORY_ID, URL, PAYLOAD]) {
    h.update(SEPARATOR);
    if (slot === -1) h.update(String(createdAtMs));
    else if (f.kindOf(slot) !== KIND_ABSENT) h.update(f.buf.subarray(f.start[slot]!, f.end[slot]!));
  }
  const d = h.digest();
  return -1n - (d.readBigUInt64BE(0) & MASK_63);
}

/**
 * The synthetic id of a GitHub account (user or organization) known only by its login: -1 - (the
 * first 53 bits of SHA-256 of `ghlake-account-v1:` + the login in lower case), a negative safe
 * integer. Logins are case-insensitive and unique among users and organizations alike, so one
 * account has one synthetic id whichever role it is seen in. Real GitHub ids are positive.
 */
export function syntheticAccountId(login: string): number {
  const d = createHash('sha256').update(`ghlake-account-v1:${login.toLowerCase()}`).digest();
  const high = d.readUInt32BE(0) >>> 11; // 21 bits
  const low = d.readUInt32BE(4); // 32 bits
  return -1 - (high * 2 ** 32 + low);
}

/** `owner/name` of the Timeline `repository` object (the Events API's `repo.name`), or null without both. */
export function timelineRepoName(f: JsonReader): string | null {
  const owner = f.str(REPOSITORY_OWNER);
  const name = f.str(REPOSITORY_NAME);
  return owner !== null && name !== null ? `${owner}/${name}` : null;
}
