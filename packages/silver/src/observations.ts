/**
 * Per-hour entity observations (rule in core/src/tables/silver-observations.ts): one row per
 * actor, repository and organization id seen in the hour's distinct events.
 *
 * Every attribute takes the value of the latest event (by created_at; ties: the later line)
 * that has it non-NULL; *_seen_at is the created_at of the latest event that gave its group.
 * Attributes the archive does not carry stay NULL — never invented:
 * - actor type/site_admin come only from payload user objects whose `id` is this event's
 *   actor id (USER_OBJECT_PATHS);
 * - repository owner, fork flag, language, dates and counts come only from payload repository
 *   objects whose `id` is this event's repo id (REPO_OBJECT_PATHS); a ForkEvent's `forkee` is
 *   a repository of its own (name from `full_name`), observed at the event's time.
 */
import {
  IntMap,
  silverActorObservations,
  silverOrganizationObservations,
  silverRepositoryObservations,
  type ColumnarBatch,
  type TableDecl,
} from '@ghlake/core';
import { ERA_TIMELINE, KIND_NUMBER, KIND_OBJECT, KIND_STRING, slotOf, timelineRepoName, type JsonReader } from '@ghlake/bronze';
import { EventIdentity, type HourLogins } from './identity.js';
import type { SilverEventInput } from './event-input.js';
import { REPO_OBJECT_PATHS, USER_OBJECT_PATHS, walkOrder } from './payload-objects.js';

export { REPO_OBJECT_PATHS, USER_OBJECT_PATHS };

/** Slots of an actor's user objects (read by the line reader: event-fields.ts declares the same paths). */
const USER_OBJECTS = walkOrder(USER_OBJECT_PATHS).map((p) => ({
  object: slotOf(p),
  id: slotOf(`${p}.id`),
  type: slotOf(`${p}.type`),
  siteAdmin: slotOf(`${p}.site_admin`),
}));

/** Slots of a repository object's details (null: a member the object never has). */
interface RepoSlots {
  object: number;
  id: number;
  ownerId: number | null;
  ownerLogin: number;
  fork: number;
  language: number;
  createdAt: number;
  updatedAt: number | null;
  stars: number;
  forks: number;
  issues: number;
  watchers: number;
  size: number;
}
function repoSlots(p: string): RepoSlots {
  return {
    object: slotOf(p),
    id: slotOf(`${p}.id`),
    ownerId: slotOf(`${p}.owner.id`),
    ownerLogin: slotOf(`${p}.owner.login`),
    fork: slotOf(`${p}.fork`),
    language: slotOf(`${p}.language`),
    createdAt: slotOf(`${p}.created_at`),
    updatedAt: slotOf(`${p}.updated_at`),
    stars: slotOf(`${p}.stargazers_count`),
    forks: slotOf(`${p}.forks_count`),
    issues: slotOf(`${p}.open_issues_count`),
    watchers: slotOf(`${p}.watchers_count`),
    size: slotOf(`${p}.size`),
  };
}
const REPO_OBJECTS = walkOrder(REPO_OBJECT_PATHS).map(repoSlots);
const FORKEE = { ...repoSlots('payload.forkee'), fullName: slotOf('payload.forkee.full_name'), url: slotOf('payload.forkee.url') };

const ACTOR = {
  id: slotOf('actor.id'),
  login: slotOf('actor.login'),
  displayLogin: slotOf('actor.display_login'),
  url: slotOf('actor.url'),
  avatarUrl: slotOf('actor.avatar_url'),
  gravatarId: slotOf('actor.gravatar_id'),
};
const REPO = { id: slotOf('repo.id'), name: slotOf('repo.name'), url: slotOf('repo.url') };
/**
 * The Timeline `repository` object (timeline.ts): the same details as a payload repository object
 * under the names of the time; the owner is a login (no owner id) and there is no updated_at.
 */
const REPOSITORY: RepoSlots & { url: number } = {
  object: slotOf('repository'),
  id: slotOf('repository.id'),
  url: slotOf('repository.url'),
  ownerId: null,
  ownerLogin: slotOf('repository.owner'),
  fork: slotOf('repository.fork'),
  language: slotOf('repository.language'),
  createdAt: slotOf('repository.created_at'),
  updatedAt: null,
  stars: slotOf('repository.stargazers'),
  forks: slotOf('repository.forks'),
  issues: slotOf('repository.open_issues'),
  watchers: slotOf('repository.watchers'),
  size: slotOf('repository.size'),
};
const ATTRIBUTES = { type: slotOf('actor_attributes.type'), gravatarId: slotOf('actor_attributes.gravatar_id') };
const ORG = { id: slotOf('org.id'), login: slotOf('org.login'), url: slotOf('org.url'), avatarUrl: slotOf('org.avatar_url') };

/** Payload timestamps: ISO text, or epoch seconds (webhook-style repository objects). */
function payloadTime(f: JsonReader, slot: number): number | null {
  const kind = f.kindOf(slot);
  if (kind === KIND_STRING) {
    const v = f.str(slot)!;
    const ms = Date.parse(v);
    return Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(v) ? null : ms;
  }
  if (kind === KIND_NUMBER) {
    const v = f.num(slot)!;
    return Number.isFinite(v) ? Math.round(v * 1000) : null;
  }
  return null;
}

/** "Never" in a time column; written as NULL. */
const NEVER = -Infinity;

/**
 * One attribute of every entity of a kind, by entity index: the latest non-NULL value and the
 * created_at of the event that gave it. Columns, not an object per entity and attribute: an hour
 * holds tens of thousands of entities, and they all live until the hour ends.
 */
class Latest<T> {
  readonly values: (T | null)[] = [];
  protected readonly at: number[] = [];

  grow(): void {
    this.values.push(null);
    this.at.push(NEVER);
  }

  /** Keep the latest non-NULL value: later created_at wins, a tie goes to the later line. */
  observe(i: number, value: T | null, t: number): void {
    if (value !== null && t >= this.at[i]!) {
      this.values[i] = value;
      this.at[i] = t;
    }
  }

  /** Entity `from` is entity `into` (a re-keyed Timeline login): the rule, as if `from`'s events were `into`'s. */
  merge(from: number, into: number): void {
    const v = this.values[from]!;
    if (v !== null && this.at[from]! > this.at[into]!) {
      this.values[into] = v;
      this.at[into] = this.at[from]!;
    }
  }
}

/** `Latest` of a string slot: the same rule, decoding the string only when it is not the one kept already. */
class LatestString extends Latest<string> {
  observeSlot(i: number, f: JsonReader, slot: number, t: number): void {
    if (t < this.at[i]! || f.kindOf(slot) !== KIND_STRING) return;
    const kept = this.values[i];
    if (kept === null || kept === undefined || !f.strEquals(slot, kept)) this.values[i] = f.str(slot);
    this.at[i] = t;
  }
}

/** A time per entity index (NEVER until set), raised to the latest time seen. */
class MaxTime {
  readonly values: number[] = [];
  grow(): void {
    this.values.push(NEVER);
  }
  see(i: number, t: number): void {
    if (t > this.values[i]!) this.values[i] = t;
  }
  merge(from: number, into: number): void {
    this.see(into, this.values[from]!);
  }
}

interface EntityColumn {
  grow(): void;
  merge(from: number, into: number): void;
}

/** The entities of one kind seen in the hour: id → index, and the span of their events. */
class Entities {
  /** id → index. */
  private readonly index = new IntMap();
  readonly ids: number[] = [];
  readonly first: number[] = [];
  readonly last: number[] = [];
  private readonly columns: EntityColumn[];
  /** Indexes merged into another entity (not written). */
  private readonly merged = new Set<number>();

  constructor(...columns: EntityColumn[]) {
    this.columns = columns;
  }

  /**
   * Re-key entities with a synthetic id whose login the hour resolved (identity.ts): each becomes
   * part of the entity of the real id, its span and attributes merged by the same latest-wins rule.
   */
  rekey(logins: HourLogins): void {
    for (const [synthetic, real] of logins.entries()) {
      const from = this.index.get(synthetic);
      if (from === undefined || this.merged.has(from)) continue;
      const into = this.at(real, this.first[from]!);
      this.at(real, this.last[from]!);
      for (const c of this.columns) c.merge(from, into);
      this.merged.add(from);
    }
  }

  /** The entity's index (added on first sight), its first/last seen widened to `t`. */
  at(id: number, t: number): number {
    const i = this.index.getOrSet(id, this.ids.length);
    if (i === undefined) {
      const added = this.ids.length;
      this.ids.push(id);
      this.first.push(t);
      this.last.push(t);
      for (const c of this.columns) c.grow();
      return added;
    }
    if (t < this.first[i]!) this.first[i] = t;
    if (t > this.last[i]!) this.last[i] = t;
    return i;
  }

  get size(): number {
    return this.ids.length - this.merged.size;
  }

  /** Entity indexes ordered by id (rows are written by id). */
  byId(): number[] {
    const ids = this.ids;
    return ids
      .map((_, i) => i)
      .filter((i) => !this.merged.has(i))
      .sort((a, b) => ids[a]! - ids[b]!);
  }
}

export class HourObservations {
  private readonly actor = {
    login: new LatestString(),
    displayLogin: new LatestString(),
    url: new LatestString(),
    avatarUrl: new LatestString(),
    gravatarId: new LatestString(),
    loginSeenAt: new MaxTime(),
    type: new LatestString(),
    siteAdmin: new Latest<boolean>(),
    typeSeenAt: new MaxTime(),
  };
  private readonly actors = new Entities(...Object.values(this.actor));

  private readonly repo = {
    name: new LatestString(),
    url: new LatestString(),
    nameSeenAt: new MaxTime(),
    ownerId: new Latest<number>(),
    ownerLogin: new LatestString(),
    isFork: new Latest<boolean>(),
    language: new LatestString(),
    createdAt: new Latest<number>(),
    updatedAt: new Latest<number>(),
    stars: new Latest<number>(),
    forks: new Latest<number>(),
    issues: new Latest<number>(),
    watchers: new Latest<number>(),
    size: new Latest<number>(),
    detailsSeenAt: new MaxTime(),
  };
  private readonly repos = new Entities(...Object.values(this.repo));

  private readonly org = {
    login: new LatestString(),
    url: new LatestString(),
    avatarUrl: new LatestString(),
    loginSeenAt: new MaxTime(),
  };
  private readonly orgs = new Entities(...Object.values(this.org));

  add(e: SilverEventInput): void {
    if (e.era === ERA_TIMELINE) return this.addTimeline(e);
    const f = e.fields;
    const t = e.createdAtMs;
    const actorId = f.int(ACTOR.id);
    if (actorId !== null) this.addActor(actorId, f, t);
    const repoId = f.int(REPO.id);
    if (repoId !== null) {
      const i = this.repos.at(repoId, t);
      this.repo.name.observeSlot(i, f, REPO.name, t);
      this.repo.url.observeSlot(i, f, REPO.url, t);
      this.repo.nameSeenAt.see(i, t);
      this.payloadRepoObjects(i, repoId, f, t);
    }
    this.addForkee(e, f, t);
    const orgId = f.int(ORG.id);
    if (orgId !== null) {
      const i = this.orgs.at(orgId, t);
      this.org.login.observeSlot(i, f, ORG.login, t);
      this.org.url.observeSlot(i, f, ORG.url, t);
      this.org.avatarUrl.observeSlot(i, f, ORG.avatarUrl, t);
      this.org.loginSeenAt.see(i, t);
    }
  }

  private readonly identity = new EventIdentity();

  /**
   * A Timeline event (docs/transform.md, Timeline): the actor by its resolved or synthetic id with
   * the login from `actor`, gravatar and type from `actor_attributes`; the repository from the
   * `repository` object, which carries owner, fork flag, language, created_at and counts with every
   * event; the organization by the login `repository.organization`. The Timeline has no
   * display_login, actor url or avatar url, no repository updated_at and no numeric owner id: NULL.
   */
  private addTimeline(e: SilverEventInput): void {
    const f = e.fields;
    const t = e.createdAtMs;
    const id = this.identity.read(e);
    if (id.actorId !== null) {
      const a = this.actor;
      const i = this.addActor(id.actorId, f, t);
      a.login.observe(i, id.actorLogin, t);
      a.gravatarId.observeSlot(i, f, ATTRIBUTES.gravatarId, t);
      if (f.kindOf(ATTRIBUTES.type) === KIND_STRING) {
        a.type.observeSlot(i, f, ATTRIBUTES.type, t);
        a.typeSeenAt.see(i, t);
      }
    }
    const repoId = f.int(REPOSITORY.id);
    if (repoId !== null) {
      const r = this.repo;
      const i = this.repos.at(repoId, t);
      r.name.observe(i, timelineRepoName(f), t);
      r.url.observeSlot(i, f, REPOSITORY.url, t);
      r.nameSeenAt.see(i, t);
      this.repoDetails(i, f, REPOSITORY, t);
      this.payloadRepoObjects(i, repoId, f, t);
    }
    this.addForkee(e, f, t);
    if (id.orgId !== null) {
      const i = this.orgs.at(id.orgId, t);
      this.org.login.observe(i, id.orgLogin, t);
      this.org.loginSeenAt.see(i, t);
    }
  }

  private payloadRepoObjects(i: number, repoId: number, f: JsonReader, t: number): void {
    for (const r of REPO_OBJECTS) if (f.kindOf(r.object) === KIND_OBJECT && f.int(r.id) === repoId) this.repoDetails(i, f, r, t);
  }

  private addForkee(e: SilverEventInput, f: JsonReader, t: number): void {
    const forkeeId = e.eventType === 'ForkEvent' && f.kindOf(FORKEE.object) === KIND_OBJECT ? f.int(FORKEE.id) : null;
    if (forkeeId !== null) {
      const i = this.repos.at(forkeeId, t);
      this.repo.name.observeSlot(i, f, FORKEE.fullName, t);
      this.repo.url.observeSlot(i, f, FORKEE.url, t);
      this.repo.nameSeenAt.see(i, t);
      this.repoDetails(i, f, FORKEE, t);
    }
  }

  private addActor(id: number, f: JsonReader, t: number): number {
    const a = this.actor;
    const i = this.actors.at(id, t);
    a.login.observeSlot(i, f, ACTOR.login, t);
    a.displayLogin.observeSlot(i, f, ACTOR.displayLogin, t);
    a.url.observeSlot(i, f, ACTOR.url, t);
    a.avatarUrl.observeSlot(i, f, ACTOR.avatarUrl, t);
    a.gravatarId.observeSlot(i, f, ACTOR.gravatarId, t);
    a.loginSeenAt.see(i, t);
    for (const u of USER_OBJECTS) {
      if (f.kindOf(u.object) !== KIND_OBJECT || f.int(u.id) !== id) continue;
      a.type.observeSlot(i, f, u.type, t);
      a.siteAdmin.observe(i, f.bool(u.siteAdmin), t);
      a.typeSeenAt.see(i, t);
    }
    return i;
  }

  private repoDetails(i: number, f: JsonReader, s: RepoSlots, t: number): void {
    const r = this.repo;
    // owner.* are recorded only when the owner is an object
    if (s.ownerId !== null) r.ownerId.observe(i, f.int(s.ownerId), t);
    r.ownerLogin.observeSlot(i, f, s.ownerLogin, t);
    r.isFork.observe(i, f.bool(s.fork), t);
    r.language.observeSlot(i, f, s.language, t);
    r.createdAt.observe(i, payloadTime(f, s.createdAt), t);
    if (s.updatedAt !== null) r.updatedAt.observe(i, payloadTime(f, s.updatedAt), t);
    r.stars.observe(i, f.int(s.stars), t);
    r.forks.observe(i, f.int(s.forks), t);
    r.issues.observe(i, f.int(s.issues), t);
    r.watchers.observe(i, f.int(s.watchers), t);
    r.size.observe(i, f.int(s.size), t);
    r.detailsSeenAt.see(i, t);
  }

  get counts(): { actors: number; repositories: number; organizations: number } {
    this.settle();
    return { actors: this.actors.size, repositories: this.repos.size, organizations: this.orgs.size };
  }

  /** Re-key Timeline logins the hour resolved (idempotent). */
  private settle(): void {
    if (this.identity.logins.size === 0) return;
    this.actors.rekey(this.identity.logins);
    this.orgs.rekey(this.identity.logins);
  }

  /** The three observation tables, rows ordered by id (Timeline logins re-keyed first). */
  batches(): { actors: ColumnarBatch; repositories: ColumnarBatch; organizations: ColumnarBatch } {
    this.settle();
    const a = this.actor;
    const r = this.repo;
    const o = this.org;
    return {
      actors: columns(silverActorObservations, this.actors, {
        actor_id: this.actors.ids,
        actor_login: a.login.values,
        actor_display_login: a.displayLogin.values,
        actor_url: a.url.values,
        avatar_url: a.avatarUrl.values,
        gravatar_id: a.gravatarId.values,
        login_seen_at: a.loginSeenAt.values,
        actor_type: a.type.values,
        actor_site_admin: a.siteAdmin.values,
        type_seen_at: a.typeSeenAt.values,
        first_seen_at: this.actors.first,
        last_seen_at: this.actors.last,
      }),
      repositories: columns(silverRepositoryObservations, this.repos, {
        repo_id: this.repos.ids,
        repo_name: r.name.values,
        repo_url: r.url.values,
        name_seen_at: r.nameSeenAt.values,
        owner_id: r.ownerId.values,
        owner_login: r.ownerLogin.values,
        is_fork: r.isFork.values,
        language: r.language.values,
        created_at: r.createdAt.values,
        updated_at: r.updatedAt.values,
        stars_count: r.stars.values,
        forks_count: r.forks.values,
        issues_count: r.issues.values,
        watchers_count: r.watchers.values,
        size: r.size.values,
        details_seen_at: r.detailsSeenAt.values,
        first_seen_at: this.repos.first,
        last_seen_at: this.repos.last,
      }),
      organizations: columns(silverOrganizationObservations, this.orgs, {
        org_id: this.orgs.ids,
        org_login: o.login.values,
        org_url: o.url.values,
        avatar_url: o.avatarUrl.values,
        login_seen_at: o.loginSeenAt.values,
        first_seen_at: this.orgs.first,
        last_seen_at: this.orgs.last,
      }),
    };
  }
}

/** The table's columns in declaration order, rows ordered by id; a time never seen is NULL. */
function columns(table: TableDecl, entities: Entities, byName: Record<string, readonly unknown[]>): ColumnarBatch {
  const order = entities.byId();
  const cols: Record<string, unknown[]> = {};
  for (const c of table.columns) {
    const source = byName[c.name];
    if (source === undefined) throw new Error(`${table.layer}.${table.name}: no values for column ${c.name}`);
    cols[c.name] = order.map((i) => {
      const v = source[i];
      return v === NEVER ? null : v;
    });
  }
  return { rowCount: order.length, columns: cols };
}
