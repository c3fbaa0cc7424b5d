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
import { silverActorObservations, silverOrganizationObservations, silverRepositoryObservations, type ColumnarBatch, type TableDecl } from '@ghlake/core';
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

/** Paths merged into a tree, so objects sharing a prefix (`pull_request.*`) are reached in one walk. */
type PathTree = Map<string, PathTree | null>;

function pathTree(paths: readonly (readonly string[])[]): PathTree {
  const root: PathTree = new Map();
  for (const path of paths) {
    let node = root;
    path.forEach((key, i) => {
      if (i === path.length - 1) {
        if (!node.has(key)) node.set(key, null);
        return;
      }
      let next = node.get(key);
      if (!next) {
        next = new Map();
        node.set(key, next);
      }
      node = next;
    });
  }
  return root;
}

/** Push every object found at the tree's paths under `root` into `out`. */
function collect(root: Record<string, unknown>, tree: PathTree, out: Record<string, unknown>[]): void {
  for (const [key, sub] of tree) {
    const v = asObject(root[key]);
    if (v === null) continue;
    if (sub === null) out.push(v);
    else collect(v, sub, out);
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

/** A value with the created_at of the event that gave it. */
interface Seen<T> {
  value: T | null;
  at: number;
}

/** Keep the latest non-NULL value: later created_at wins, a tie goes to the later line. */
function observe<T>(slot: Seen<T>, value: T | null, at: number): void {
  if (value !== null && at >= slot.at) {
    slot.value = value;
    slot.at = at;
  }
}

const none = <T>(): Seen<T> => ({ value: null, at: -Infinity });

interface ActorObs {
  id: number;
  login: Seen<string>;
  displayLogin: Seen<string>;
  url: Seen<string>;
  avatarUrl: Seen<string>;
  gravatarId: Seen<string>;
  loginSeenAt: number;
  type: Seen<string>;
  siteAdmin: Seen<boolean>;
  typeSeenAt: number | null;
  first: number;
  last: number;
}

interface RepoObs {
  id: number;
  name: Seen<string>;
  url: Seen<string>;
  nameSeenAt: number | null;
  ownerId: Seen<number>;
  ownerLogin: Seen<string>;
  isFork: Seen<boolean>;
  language: Seen<string>;
  createdAt: Seen<number>;
  updatedAt: Seen<number>;
  stars: Seen<number>;
  forks: Seen<number>;
  issues: Seen<number>;
  watchers: Seen<number>;
  size: Seen<number>;
  detailsSeenAt: number | null;
  first: number;
  last: number;
}

interface OrgObs {
  id: number;
  login: Seen<string>;
  url: Seen<string>;
  avatarUrl: Seen<string>;
  loginSeenAt: number;
  first: number;
  last: number;
}

const maxOrNull = (a: number | null, b: number): number => (a === null || b > a ? b : a);

export class HourObservations {
  private readonly actors = new Map<number, ActorObs>();
  private readonly repos = new Map<number, RepoObs>();
  private readonly orgs = new Map<number, OrgObs>();

  add(e: SilverEventInput): void {
    const t = e.createdAtMs;
    const actorId = e.actor ? asInt(e.actor.id) : null;
    if (actorId !== null) this.addActor(actorId, e.actor!, e.payload, t);
    const repoId = e.repo ? asInt(e.repo.id) : null;
    if (repoId !== null) {
      const r = this.repo(repoId, t);
      observe(r.name, asString(e.repo!.name), t);
      observe(r.url, asString(e.repo!.url), t);
      r.nameSeenAt = maxOrNull(r.nameSeenAt, t);
      const payload = asObject(e.payload);
      if (payload) {
        found.length = 0;
        collect(payload, REPO_TREE, found);
        for (const obj of found) if (asInt(obj.id) === repoId) this.repoDetails(r, obj, t);
      }
    }
    const forkee = e.eventType === 'ForkEvent' ? at(e.payload, ['forkee']) : null;
    const forkeeId = forkee ? asInt(forkee.id) : null;
    if (forkee && forkeeId !== null) {
      const r = this.repo(forkeeId, t);
      observe(r.name, asString(forkee.full_name), t);
      observe(r.url, asString(forkee.url), t);
      r.nameSeenAt = maxOrNull(r.nameSeenAt, t);
      this.repoDetails(r, forkee, t);
    }
    const orgId = e.org ? asInt(e.org.id) : null;
    if (orgId !== null) {
      let o = this.orgs.get(orgId);
      if (!o) {
        o = { id: orgId, login: none(), url: none(), avatarUrl: none(), loginSeenAt: t, first: t, last: t };
        this.orgs.set(orgId, o);
      }
      observe(o.login, asString(e.org!.login), t);
      observe(o.url, asString(e.org!.url), t);
      observe(o.avatarUrl, asString(e.org!.avatar_url), t);
      o.loginSeenAt = Math.max(o.loginSeenAt, t);
      o.first = Math.min(o.first, t);
      o.last = Math.max(o.last, t);
    }
  }

  private addActor(id: number, actor: Record<string, unknown>, payload: unknown, t: number): void {
    let a = this.actors.get(id);
    if (!a) {
      a = { id, login: none(), displayLogin: none(), url: none(), avatarUrl: none(), gravatarId: none(), loginSeenAt: t, type: none(), siteAdmin: none(), typeSeenAt: null, first: t, last: t };
      this.actors.set(id, a);
    }
    observe(a.login, asString(actor.login), t);
    observe(a.displayLogin, asString(actor.display_login), t);
    observe(a.url, asString(actor.url), t);
    observe(a.avatarUrl, asString(actor.avatar_url), t);
    observe(a.gravatarId, asString(actor.gravatar_id), t);
    a.loginSeenAt = Math.max(a.loginSeenAt, t);
    a.first = Math.min(a.first, t);
    a.last = Math.max(a.last, t);
    const p = asObject(payload);
    if (p === null) return;
    found.length = 0;
    collect(p, USER_TREE, found);
    for (const user of found) {
      if (asInt(user.id) !== id) continue;
      observe(a.type, asString(user.type), t);
      observe(a.siteAdmin, asBool(user.site_admin), t);
      a.typeSeenAt = maxOrNull(a.typeSeenAt, t);
    }
  }

  private repo(id: number, t: number): RepoObs {
    let r = this.repos.get(id);
    if (!r) {
      r = {
        id,
        name: none(),
        url: none(),
        nameSeenAt: null,
        ownerId: none(),
        ownerLogin: none(),
        isFork: none(),
        language: none(),
        createdAt: none(),
        updatedAt: none(),
        stars: none(),
        forks: none(),
        issues: none(),
        watchers: none(),
        size: none(),
        detailsSeenAt: null,
        first: t,
        last: t,
      };
      this.repos.set(id, r);
    }
    r.first = Math.min(r.first, t);
    r.last = Math.max(r.last, t);
    return r;
  }

  private repoDetails(r: RepoObs, obj: Record<string, unknown>, t: number): void {
    const owner = asObject(obj.owner);
    observe(r.ownerId, owner ? asInt(owner.id) : null, t);
    observe(r.ownerLogin, owner ? asString(owner.login) : null, t);
    observe(r.isFork, asBool(obj.fork), t);
    observe(r.language, asString(obj.language), t);
    observe(r.createdAt, payloadTime(obj.created_at), t);
    observe(r.updatedAt, payloadTime(obj.updated_at), t);
    observe(r.stars, asInt(obj.stargazers_count), t);
    observe(r.forks, asInt(obj.forks_count), t);
    observe(r.issues, asInt(obj.open_issues_count), t);
    observe(r.watchers, asInt(obj.watchers_count), t);
    observe(r.size, asInt(obj.size), t);
    r.detailsSeenAt = maxOrNull(r.detailsSeenAt, t);
  }

  get counts(): { actors: number; repositories: number; organizations: number } {
    return { actors: this.actors.size, repositories: this.repos.size, organizations: this.orgs.size };
  }

  /** The three observation tables, rows ordered by id. */
  batches(): { actors: ColumnarBatch; repositories: ColumnarBatch; organizations: ColumnarBatch } {
    const byId = <T extends { id: number }>(m: Map<number, T>) => [...m.values()].sort((a, b) => a.id - b.id);
    return {
      actors: columns(silverActorObservations, byId(this.actors), (a) => ({
        actor_id: a.id,
        actor_login: a.login.value,
        actor_display_login: a.displayLogin.value,
        actor_url: a.url.value,
        avatar_url: a.avatarUrl.value,
        gravatar_id: a.gravatarId.value,
        login_seen_at: a.loginSeenAt,
        actor_type: a.type.value,
        actor_site_admin: a.siteAdmin.value,
        type_seen_at: a.typeSeenAt,
        first_seen_at: a.first,
        last_seen_at: a.last,
      })),
      repositories: columns(silverRepositoryObservations, byId(this.repos), (r) => ({
        repo_id: r.id,
        repo_name: r.name.value,
        repo_url: r.url.value,
        name_seen_at: r.nameSeenAt,
        owner_id: r.ownerId.value,
        owner_login: r.ownerLogin.value,
        is_fork: r.isFork.value,
        language: r.language.value,
        created_at: r.createdAt.value,
        updated_at: r.updatedAt.value,
        stars_count: r.stars.value,
        forks_count: r.forks.value,
        issues_count: r.issues.value,
        watchers_count: r.watchers.value,
        size: r.size.value,
        details_seen_at: r.detailsSeenAt,
        first_seen_at: r.first,
        last_seen_at: r.last,
      })),
      organizations: columns(silverOrganizationObservations, byId(this.orgs), (o) => ({
        org_id: o.id,
        org_login: o.login.value,
        org_url: o.url.value,
        avatar_url: o.avatarUrl.value,
        login_seen_at: o.loginSeenAt,
        first_seen_at: o.first,
        last_seen_at: o.last,
      })),
    };
  }
}

function columns<T>(table: TableDecl, items: T[], row: (item: T) => Record<string, unknown>): ColumnarBatch {
  const cols: Record<string, unknown[]> = Object.fromEntries(table.columns.map((c) => [c.name, []]));
  for (const item of items) {
    const r = row(item);
    for (const c of table.columns) cols[c.name]!.push(r[c.name] ?? null);
  }
  return { rowCount: items.length, columns: cols };
}
