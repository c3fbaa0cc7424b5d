/**
 * Who an event's actor and organization are, as ids (docs/transform.md, "Timeline API lines").
 * Events API events carry numeric ids (`actor.id`, `org.id`: source `event`). A Timeline event
 * carries logins: the actor as the `actor` string (and `actor_attributes`), the organization as
 * `repository.organization`. Its id is, in this order:
 * - `actor_attributes.id` when the line has one (`actor_attributes`);
 * - the id of a user object in the same event's payload whose login is the same login
 *   (`pull_request.user`, `comment.user`, `forkee.owner`, ...: USER_OBJECT_PATHS) (`resolved`);
 * - else the synthetic id of the login (bronze's `syntheticAccountId`: negative) (`synthetic`).
 * Every login resolved so far, and every payload user object's login and id, is learned
 * (`HourLogins`): at the end of the hour, rows and
 * observations that got a synthetic id for a login the hour resolved elsewhere are re-keyed to the
 * real id (`resolved`) by SilverEventRows and HourObservations. Across hours (the lake), a login
 * left synthetic gets the id the lake knows for it at silver commit (`lake`,
 * consolidate/login-ids.ts).
 */
import { ERA_TIMELINE, KIND_OBJECT, KIND_STRING, slotOf, syntheticAccountId, type JsonReader } from '@ghlake/bronze';
import type { SilverEventInput } from './event-input.js';
import { USER_OBJECT_PATHS, walkOrder } from './payload-objects.js';

export const ID_SOURCE_EVENT = 'event';
export const ID_SOURCE_ATTRIBUTES = 'actor_attributes';
export const ID_SOURCE_RESOLVED = 'resolved';
export const ID_SOURCE_SYNTHETIC = 'synthetic';
/** Set at silver commit, never by the transform: the lake knows the login's id (consolidate/login-ids.ts). */
export const ID_SOURCE_LAKE = 'lake';
export type IdSource = typeof ID_SOURCE_EVENT | typeof ID_SOURCE_ATTRIBUTES | typeof ID_SOURCE_RESOLVED | typeof ID_SOURCE_SYNTHETIC;

const ACTOR = slotOf('actor');
const ACTOR_ID = slotOf('actor.id');
const ORG_ID = slotOf('org.id');
const ATTRIBUTES_ID = slotOf('actor_attributes.id');
const ATTRIBUTES_LOGIN = slotOf('actor_attributes.login');
const ORGANIZATION = slotOf('repository.organization');

/** Payload user objects with a login and an id, in the observations' walk order. */
const USER_OBJECTS = walkOrder(USER_OBJECT_PATHS).map((p) => ({ object: slotOf(p), id: slotOf(`${p}.id`), login: slotOf(`${p}.login`) }));

/** The id of a payload user object whose login is `login`, or null. */
function resolveLogin(f: JsonReader, login: string): number | null {
  for (const u of USER_OBJECTS) {
    if (f.kindOf(u.object) !== KIND_OBJECT || !f.strEquals(u.login, login)) continue;
    const id = f.int(u.id);
    if (id !== null && id > 0) return id;
  }
  return null;
}

/** The logins of an hour with a real id: synthetic id → real id (one account namespace for users and organizations). */
export class HourLogins {
  private readonly byLogin = new Map<string, number>();
  private readonly bySynthetic = new Map<number, number>();

  /** The first id seen for a login wins (a login names one account at a time). */
  learn(login: string, id: number): void {
    const key = login.toLowerCase();
    if (this.byLogin.has(key)) return;
    this.byLogin.set(key, id);
    this.bySynthetic.set(syntheticAccountId(login), id);
  }

  /** The real id of the login a synthetic id was made from, when the hour learned it. */
  realIdOf(syntheticId: number): number | undefined {
    return this.bySynthetic.get(syntheticId);
  }

  get size(): number {
    return this.bySynthetic.size;
  }

  entries(): IterableIterator<[number, number]> {
    return this.bySynthetic.entries();
  }
}

/** The actor and organization ids of one event (reused: valid until the next `read`). */
export class EventIdentity {
  /** Every login this identity resolved to a real id, over all the events it read. */
  readonly logins = new HourLogins();
  actorId: number | null = null;
  actorIdSource: IdSource | null = null;
  /** The Timeline actor's login (Events API: not decoded, null). */
  actorLogin: string | null = null;
  orgId: number | null = null;
  orgIdSource: IdSource | null = null;
  orgLogin: string | null = null;

  read(e: SilverEventInput): this {
    const f = e.fields;
    if (e.era !== ERA_TIMELINE) {
      this.actorId = f.int(ACTOR_ID);
      this.actorIdSource = this.actorId === null ? null : ID_SOURCE_EVENT;
      this.actorLogin = null;
      this.orgId = f.int(ORG_ID);
      this.orgIdSource = this.orgId === null ? null : ID_SOURCE_EVENT;
      this.orgLogin = null;
      return this;
    }
    // Every payload user object of the event teaches its login's id to the hour (e.g. the member
    // added, the pull request's author, a Follow's target): other events by those logins are re-keyed.
    for (const u of USER_OBJECTS) {
      if (f.kindOf(u.object) !== KIND_OBJECT || f.kindOf(u.login) !== KIND_STRING) continue;
      const id = f.int(u.id);
      if (id !== null && id > 0) this.logins.learn(f.str(u.login)!, id);
    }
    const login = f.kindOf(ACTOR) === KIND_STRING ? f.str(ACTOR) : f.str(ATTRIBUTES_LOGIN);
    this.actorLogin = login === '' ? null : login;
    const attributesId = f.int(ATTRIBUTES_ID);
    if (attributesId !== null && attributesId > 0) {
      this.set('actor', attributesId, ID_SOURCE_ATTRIBUTES);
      if (this.actorLogin !== null) this.logins.learn(this.actorLogin, attributesId);
    } else this.fromLogin('actor', f, this.actorLogin);
    const org = f.kindOf(ORGANIZATION) === KIND_STRING ? f.str(ORGANIZATION) : null;
    this.orgLogin = org === '' ? null : org;
    this.fromLogin('org', f, this.orgLogin);
    return this;
  }

  private fromLogin(who: 'actor' | 'org', f: JsonReader, login: string | null): void {
    if (login === null) return this.set(who, null, null);
    const resolved = resolveLogin(f, login);
    if (resolved !== null) {
      this.set(who, resolved, ID_SOURCE_RESOLVED);
      this.logins.learn(login, resolved);
    } else this.set(who, syntheticAccountId(login), ID_SOURCE_SYNTHETIC);
  }

  private set(who: 'actor' | 'org', id: number | null, source: IdSource | null): void {
    if (who === 'actor') {
      this.actorId = id;
      this.actorIdSource = source;
    } else {
      this.orgId = id;
      this.orgIdSource = source;
    }
  }
}
