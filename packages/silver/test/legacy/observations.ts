/** LEGACY reference (the JSON.parse path before issue 17), kept only for the differential test; deleted with it. */
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
import { asBool, asInt, asObject, asString, type SilverEventInput } from './event-input.js';

/** Payload paths holding user objects (`{id, login, type, site_admin, ...}`). */
export const USER_OBJECT_PATHS: readonly (readonly string[])[] = [
  ['pull_request', 'user'],
  ['pull_request', 'merged_by'],
  ['pull_request', 'assignee'],
  ['pull_request', 'head', 'user'],
  ['pull_request', 'base', 'user'],
  ['pull_request', 'head', 'repo', 'owner'],
  ['pull_request', 'base', 'repo', 'owner'],
  ['issue', 'user'],
  ['issue', 'assignee'],
  ['comment', 'user'],
  ['review', 'user'],
  ['member'],
  ['forkee', 'owner'],
  ['release', 'author'],
  ['repository', 'owner'],
];

/** Payload paths holding repository objects (`{id, full_name, owner, fork, language, ...}`). */
export const REPO_OBJECT_PATHS: readonly (readonly string[])[] = [['pull_request', 'base', 'repo'], ['pull_request', 'head', 'repo'], ['repository']];

/**
 * Paths merged into a tree, so objects sharing a prefix (`pull_request.*`) are reached in one walk.
 * Plain arrays walked by index: every event walks both trees, and iterating a Map allocates.
 */
interface PathNode {
  key: string;
  /** null: the object at this key is collected. */
  children: PathNode[] | null;
}

function pathTree(paths: readonly (readonly string[])[]): PathNode[] {
  const root: PathNode[] = [];
  for (const path of paths) {
    let level = root;
    path.forEach((key, i) => {
      const leaf = i === path.length - 1;
      let node = level.find((n) => n.key === key && (n.children === null) === leaf);
      if (!node) {
        node = { key, children: leaf ? null : [] };
        level.push(node);
      }
      if (!leaf) level = node.children!;
    });
  }
  return root;
}

/** Push every object found at the tree's paths under `root` into `out`. */
function collect(root: Record<string, unknown>, tree: readonly PathNode[], out: Record<string, unknown>[]): void {
  for (let i = 0; i < tree.length; i++) {
    const node = tree[i]!;
    const v = asObject(root[node.key]);
    if (v === null) continue;
    if (node.children === null) out.push(v);
    else collect(v, node.children, out);
  }
}

const USER_TREE = pathTree(USER_OBJECT_PATHS);
const REPO_TREE = pathTree(REPO_OBJECT_PATHS);
/** Scratch list reused by every event (the transform is single-threaded per worker). */
const found: Record<string, unknown>[] = [];

function at(root: unknown, path: readonly string[]): Record<string, unknown> | null {
  let cur: unknown = root;
  for (const key of path) {
    const o = asObject(cur);
    if (!o) return null;
    cur = o[key];
  }
  return asObject(cur);
}

/** Payload timestamps: ISO text, or epoch seconds (webhook-style repository objects). */
function payloadTime(v: unknown): number | null {
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    return Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(v) ? null : ms;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return Math.round(v * 1000);
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
  private readonly at: number[] = [];

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
}

/** The entities of one kind seen in the hour: id → index, and the span of their events. */
class Entities {
  /** id → index. */
  private readonly index = new IntMap();
  readonly ids: number[] = [];
  readonly first: number[] = [];
  readonly last: number[] = [];
  private readonly columns: { grow(): void }[];

  constructor(...columns: { grow(): void }[]) {
    this.columns = columns;
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
    return this.ids.length;
  }

  /** Entity indexes ordered by id (rows are written by id). */
  byId(): number[] {
    const ids = this.ids;
    return ids.map((_, i) => i).sort((a, b) => ids[a]! - ids[b]!);
  }
}

export class HourObservations {
  private readonly actor = {
    login: new Latest<string>(),
    displayLogin: new Latest<string>(),
    url: new Latest<string>(),
    avatarUrl: new Latest<string>(),
    gravatarId: new Latest<string>(),
    loginSeenAt: new MaxTime(),
    type: new Latest<string>(),
    siteAdmin: new Latest<boolean>(),
    typeSeenAt: new MaxTime(),
  };
  private readonly actors = new Entities(...Object.values(this.actor));

  private readonly repo = {
    name: new Latest<string>(),
    url: new Latest<string>(),
    nameSeenAt: new MaxTime(),
    ownerId: new Latest<number>(),
    ownerLogin: new Latest<string>(),
    isFork: new Latest<boolean>(),
    language: new Latest<string>(),
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
    login: new Latest<string>(),
    url: new Latest<string>(),
    avatarUrl: new Latest<string>(),
    loginSeenAt: new MaxTime(),
  };
  private readonly orgs = new Entities(...Object.values(this.org));

  add(e: SilverEventInput): void {
    const t = e.createdAtMs;
    const actorId = e.actor ? asInt(e.actor.id) : null;
    if (actorId !== null) this.addActor(actorId, e.actor!, e.payload, t);
    const repoId = e.repo ? asInt(e.repo.id) : null;
    if (repoId !== null) {
      const i = this.repos.at(repoId, t);
      this.repo.name.observe(i, asString(e.repo!.name), t);
      this.repo.url.observe(i, asString(e.repo!.url), t);
      this.repo.nameSeenAt.see(i, t);
      const payload = asObject(e.payload);
      if (payload) {
        found.length = 0;
        collect(payload, REPO_TREE, found);
        for (const obj of found) if (asInt(obj.id) === repoId) this.repoDetails(i, obj, t);
      }
    }
    const forkee = e.eventType === 'ForkEvent' ? at(e.payload, ['forkee']) : null;
    const forkeeId = forkee ? asInt(forkee.id) : null;
    if (forkee && forkeeId !== null) {
      const i = this.repos.at(forkeeId, t);
      this.repo.name.observe(i, asString(forkee.full_name), t);
      this.repo.url.observe(i, asString(forkee.url), t);
      this.repo.nameSeenAt.see(i, t);
      this.repoDetails(i, forkee, t);
    }
    const orgId = e.org ? asInt(e.org.id) : null;
    if (orgId !== null) {
      const i = this.orgs.at(orgId, t);
      this.org.login.observe(i, asString(e.org!.login), t);
      this.org.url.observe(i, asString(e.org!.url), t);
      this.org.avatarUrl.observe(i, asString(e.org!.avatar_url), t);
      this.org.loginSeenAt.see(i, t);
    }
  }

  private addActor(id: number, actor: Record<string, unknown>, payload: unknown, t: number): void {
    const a = this.actor;
    const i = this.actors.at(id, t);
    a.login.observe(i, asString(actor.login), t);
    a.displayLogin.observe(i, asString(actor.display_login), t);
    a.url.observe(i, asString(actor.url), t);
    a.avatarUrl.observe(i, asString(actor.avatar_url), t);
    a.gravatarId.observe(i, asString(actor.gravatar_id), t);
    a.loginSeenAt.see(i, t);
    const p = asObject(payload);
    if (p === null) return;
    found.length = 0;
    collect(p, USER_TREE, found);
    for (const user of found) {
      if (asInt(user.id) !== id) continue;
      a.type.observe(i, asString(user.type), t);
      a.siteAdmin.observe(i, asBool(user.site_admin), t);
      a.typeSeenAt.see(i, t);
    }
  }

  private repoDetails(i: number, obj: Record<string, unknown>, t: number): void {
    const r = this.repo;
    const owner = asObject(obj.owner);
    r.ownerId.observe(i, owner ? asInt(owner.id) : null, t);
    r.ownerLogin.observe(i, owner ? asString(owner.login) : null, t);
    r.isFork.observe(i, asBool(obj.fork), t);
    r.language.observe(i, asString(obj.language), t);
    r.createdAt.observe(i, payloadTime(obj.created_at), t);
    r.updatedAt.observe(i, payloadTime(obj.updated_at), t);
    r.stars.observe(i, asInt(obj.stargazers_count), t);
    r.forks.observe(i, asInt(obj.forks_count), t);
    r.issues.observe(i, asInt(obj.open_issues_count), t);
    r.watchers.observe(i, asInt(obj.watchers_count), t);
    r.size.observe(i, asInt(obj.size), t);
    r.detailsSeenAt.see(i, t);
  }

  get counts(): { actors: number; repositories: number; organizations: number } {
    return { actors: this.actors.size, repositories: this.repos.size, organizations: this.orgs.size };
  }

  /** The three observation tables, rows ordered by id. */
  batches(): { actors: ColumnarBatch; repositories: ColumnarBatch; organizations: ColumnarBatch } {
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
