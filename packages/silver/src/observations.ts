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
  BoolColumn,
  BytesColumn,
  IntMap,
  nativeAddon,
  NumberColumn,
  silverActorObservations,
  silverOrganizationObservations,
  silverRepositoryObservations,
  type ColumnarBatch,
  type ColumnType,
  type ColumnVector,
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

/** A table of the native twin (native/observations.c, `table`): rows by id; a number column's NaN is NULL. */
interface NativeTable {
  count: number;
  text: Buffer;
  columns: Record<string, Float64Array | { start: Int32Array; end: Int32Array; flags: Uint8Array } | undefined>;
  /** Each attribute's time (NaN: never), when asked for. */
  times?: Record<string, Float64Array | undefined>;
}

/** @ghlake/core's native/observations.c: the rule below in C for Events API events, one call per event. */
interface NativeObservationsBinding {
  observationsCreate(
    reader: object,
    actor: Int32Array,
    repo: Int32Array,
    org: Int32Array,
    userObjects: Int32Array,
    repoObjects: Int32Array,
    forkee: Int32Array,
    timeOf: (slot: number) => number | null,
  ): object;
  /** The event the reader read last. */
  observationsObserve(handle: object, createdAtMs: number, isFork: boolean): void;
  observationsCounts(handle: object): [number, number, number];
  observationsTable(handle: object, kind: 0 | 1 | 2, withTimes: boolean): NativeTable;
  observationsRelease(handle: object): void;
}

/** The slots the native twin reads, in its order (native/observations.c: create). */
const repoSlotList = (r: RepoSlots) => [
  r.object,
  r.id,
  r.ownerId ?? -1,
  r.ownerLogin,
  r.fork,
  r.language,
  r.createdAt,
  r.updatedAt ?? -1,
  r.stars,
  r.forks,
  r.issues,
  r.watchers,
  r.size,
];
const NATIVE_SLOTS = {
  actor: Int32Array.from([ACTOR.id, ACTOR.login, ACTOR.displayLogin, ACTOR.url, ACTOR.avatarUrl, ACTOR.gravatarId]),
  repo: Int32Array.from([REPO.id, REPO.name, REPO.url]),
  org: Int32Array.from([ORG.id, ORG.login, ORG.url, ORG.avatarUrl]),
  userObjects: Int32Array.from(USER_OBJECTS.flatMap((u) => [u.object, u.id, u.type, u.siteAdmin])),
  repoObjects: Int32Array.from(REPO_OBJECTS.flatMap(repoSlotList)),
  forkee: Int32Array.from([...repoSlotList(FORKEE), FORKEE.fullName, FORKEE.url]),
};

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

/** "Never" in a time slot; written as NULL. */
const NEVER = -Infinity;

/** Length mark of a text slot whose value is kept as a JS string in `values` (too long, escaped, or given decoded). */
const TEXT_ELSEWHERE = 0xffff;

/** One column of an entity table: how two entities merge, and its values for the rows written. */
interface EntityColumn {
  merge(from: number, into: number): void;
  /** The values of entities `order` as the column vector of `type`. */
  vector(order: readonly number[], type: ColumnType): ColumnVector;
}

/** A column vector of numbers (ids, times: NEVER is NULL) for entities `order`. */
function numbers(order: readonly number[], value: (i: number) => number): NumberColumn {
  const v = new NumberColumn();
  for (const i of order) {
    const x = value(i);
    v.push(x === NEVER ? null : x);
  }
  return v;
}

/**
 * The entities of one kind seen in the hour, one record each: the id, the span of its events and,
 * per attribute, the latest non-NULL value with the created_at that gave it. A record is stored
 * side by side — its times in one Float64Array, its string values as bytes in one Uint8Array (an
 * inline slot per attribute), other values in one array — `*Stride` slots per entity. An hour
 * meets tens of thousands of entities in no order, and what observations cost is memory misses:
 * a record touches a few adjacent cache lines where a JS string per value, compared before being
 * replaced, cost three misses per attribute and a string per new value (docs/bench-silver.md).
 * Attributes are declared before the first entity is added.
 */
class Entities {
  /** id → index. */
  private readonly index = new IntMap();
  readonly ids: number[] = [];
  /** Per entity: [first seen, last seen, each attribute's time]. */
  times = new Float64Array(0);
  /** Per entity: each text attribute's slot, [length (2 bytes, little-endian), bytes]. */
  text = Buffer.alloc(0);
  /** Per entity: each other attribute's value, and text kept as a string (TEXT_ELSEWHERE). */
  readonly values: unknown[] = [];
  timeStride = 2;
  textStride = 0;
  valueStride = 0;
  private readonly columns: EntityColumn[] = [];
  /** Indexes merged into another entity (not written). */
  private readonly merged = new Set<number>();

  /** The latest non-NULL value of an attribute (see Latest). */
  latest<T>(): Latest<T> {
    return this.declare(new Latest<T>(this, this.timeStride++, this.valueStride++));
  }

  /** A string attribute, its bytes kept inline up to `width` bytes. */
  latestText(width: number): LatestText {
    const column = new LatestText(this, this.timeStride++, this.valueStride++, this.textStride, width);
    this.textStride += 2 + width;
    return this.declare(column);
  }

  /** The latest time of a group of attributes (*_seen_at). */
  maxTime(): MaxTime {
    return this.declare(new MaxTime(this, this.timeStride++));
  }

  private declare<C extends EntityColumn>(column: C): C {
    if (this.ids.length > 0) throw new Error('entity attributes are declared before the first entity');
    this.columns.push(column);
    return column;
  }

  /**
   * Re-key entities with a synthetic id whose login the hour resolved (identity.ts): each becomes
   * part of the entity of the real id, its span and attributes merged by the same latest-wins rule.
   */
  rekey(logins: HourLogins): void {
    for (const [synthetic, real] of logins.entries()) {
      const from = this.index.get(synthetic);
      if (from === undefined || this.merged.has(from)) continue;
      const ts = this.timeStride;
      const into = this.at(real, this.times[from * ts]!);
      this.at(real, this.times[from * ts + 1]!);
      for (const c of this.columns) c.merge(from, into);
      this.merged.add(from);
    }
  }

  /** The entity's index (added on first sight), its first/last seen widened to `t`. */
  at(id: number, t: number): number {
    const i = this.index.getOrSet(id, this.ids.length);
    if (i === undefined) return this.add(id, t);
    const times = this.times;
    const r = i * this.timeStride;
    if (t < times[r]!) times[r] = t;
    if (t > times[r + 1]!) times[r + 1] = t;
    return i;
  }

  private add(id: number, t: number): number {
    const i = this.ids.length;
    const ts = this.timeStride;
    this.ids.push(id);
    if ((i + 1) * ts > this.times.length) {
      const capacity = Math.max(1024, 2 * i);
      const times = new Float64Array(capacity * ts);
      times.set(this.times);
      this.times = times;
      const text = Buffer.alloc(capacity * this.textStride);
      this.text.copy(text);
      this.text = text;
    }
    const r = i * ts;
    this.times[r] = t;
    this.times[r + 1] = t;
    this.times.fill(NEVER, r + 2, r + ts);
    for (let k = 0; k < this.valueStride; k++) this.values.push(null);
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

  readonly id: EntityColumn = { merge: () => {}, vector: (order) => numbers(order, (i) => this.ids[i]!) };
  readonly firstSeen: EntityColumn = { merge: () => {}, vector: (order) => numbers(order, (i) => this.times[i * this.timeStride]!) };
  readonly lastSeen: EntityColumn = { merge: () => {}, vector: (order) => numbers(order, (i) => this.times[i * this.timeStride + 1]!) };
}

/**
 * One attribute of every entity of a kind: the latest non-NULL value and the created_at of the
 * event that gave it (a time slot and a value slot of each entity's record; NULL while the time is NEVER).
 */
class Latest<T> implements EntityColumn {
  constructor(
    protected readonly entities: Entities,
    protected readonly time: number,
    protected readonly value: number,
  ) {}

  /** Keep the latest non-NULL value: later created_at wins, a tie goes to the later line. */
  observe(i: number, value: T | null, t: number): void {
    const e = this.entities;
    const ti = i * e.timeStride + this.time;
    if (value !== null && t >= e.times[ti]!) {
      this.set(i, value);
      e.times[ti] = t;
    }
  }

  protected set(i: number, value: T): void {
    const e = this.entities;
    e.values[i * e.valueStride + this.value] = value;
  }

  /** Entity `from` is entity `into` (a re-keyed Timeline login): the rule, as if `from`'s events were `into`'s. */
  merge(from: number, into: number): void {
    const e = this.entities;
    const tf = e.times[from * e.timeStride + this.time]!;
    const ti = into * e.timeStride + this.time;
    if (tf !== NEVER && tf > e.times[ti]!) {
      this.copy(from, into);
      e.times[ti] = tf;
    }
  }

  protected copy(from: number, into: number): void {
    const e = this.entities;
    e.values[into * e.valueStride + this.value] = e.values[from * e.valueStride + this.value];
  }

  vector(order: readonly number[], type: ColumnType): ColumnVector {
    const e = this.entities;
    const ts = e.timeStride;
    const vs = e.valueStride;
    const value = (i: number) => (e.times[i * ts + this.time] === NEVER ? null : e.values[i * vs + this.value]);
    if (type === 'BOOLEAN') {
      const v = new BoolColumn();
      for (const i of order) v.push(value(i) as boolean | null);
      return v;
    }
    const v = new NumberColumn();
    for (const i of order) v.push(value(i) as number | null);
    return v;
  }
}

/**
 * `Latest` of a string: the bytes between the quotes copied into the entity's record (they are the
 * string's UTF-8 when unescaped), decoded once when the rows are written; an escaped string or one
 * longer than `width` is kept decoded in the value slot.
 */
class LatestText extends Latest<string> {
  constructor(
    entities: Entities,
    time: number,
    value: number,
    private readonly offset: number,
    private readonly width: number,
  ) {
    super(entities, time, value);
  }

  observeSlot(i: number, f: JsonReader, slot: number, t: number): void {
    const e = this.entities;
    const ti = i * e.timeStride + this.time;
    if (t < e.times[ti]! || f.kindOf(slot) !== KIND_STRING) return;
    e.times[ti] = t;
    const s = f.start[slot]! + 1;
    const n = f.end[slot]! - 1 - s;
    if (f.escaped[slot] === 1 || n > this.width) return this.set(i, f.str(slot)!);
    const text = e.text;
    const p = i * e.textStride + this.offset;
    text[p] = n & 0xff;
    text[p + 1] = n >>> 8;
    const b = f.buf;
    for (let k = 0; k < n; k++) text[p + 2 + k] = b[s + k]!;
  }

  protected override set(i: number, value: string): void {
    const e = this.entities;
    const p = i * e.textStride + this.offset;
    e.text[p] = TEXT_ELSEWHERE & 0xff;
    e.text[p + 1] = TEXT_ELSEWHERE >>> 8;
    e.values[i * e.valueStride + this.value] = value;
  }

  protected override copy(from: number, into: number): void {
    const e = this.entities;
    const p = from * e.textStride + this.offset;
    e.text.copy(e.text, into * e.textStride + this.offset, p, p + 2 + this.width);
    super.copy(from, into);
  }

  /** The bytes as they stand in the records (never decoded and encoded again). */
  override vector(order: readonly number[]): ColumnVector {
    const e = this.entities;
    const text = e.text;
    const v = new BytesColumn();
    for (const i of order) {
      if (e.times[i * e.timeStride + this.time] === NEVER) {
        v.pushNull();
        continue;
      }
      const p = i * e.textStride + this.offset;
      const n = text[p]! | (text[p + 1]! << 8);
      if (n === TEXT_ELSEWHERE) v.pushString(e.values[i * e.valueStride + this.value] as string);
      else v.pushRef(text, p + 2, p + 2 + n);
    }
    return v;
  }
}

/** A time per entity (NEVER until set), raised to the latest time seen. */
class MaxTime implements EntityColumn {
  constructor(
    private readonly entities: Entities,
    private readonly time: number,
  ) {}

  see(i: number, t: number): void {
    const e = this.entities;
    const ti = i * e.timeStride + this.time;
    if (t > e.times[ti]!) e.times[ti] = t;
  }

  merge(from: number, into: number): void {
    this.see(into, this.entities.times[from * this.entities.timeStride + this.time]!);
  }

  vector(order: readonly number[]): ColumnVector {
    const e = this.entities;
    return numbers(order, (i) => e.times[i * e.timeStride + this.time]!);
  }
}

/** Inline widths of string attributes (bytes): GitHub logins have at most 39 characters; longer values are kept as strings. */
const LOGIN = 40;
const URL = 96;
const NAME = 64;
const WORD = 24;

export class HourObservations {
  private readonly actors = new Entities();
  private readonly actor = {
    login: this.actors.latestText(LOGIN),
    displayLogin: this.actors.latestText(LOGIN),
    url: this.actors.latestText(URL),
    avatarUrl: this.actors.latestText(URL),
    gravatarId: this.actors.latestText(LOGIN),
    loginSeenAt: this.actors.maxTime(),
    type: this.actors.latestText(WORD),
    siteAdmin: this.actors.latest<boolean>(),
    typeSeenAt: this.actors.maxTime(),
  };

  private readonly repos = new Entities();
  private readonly repo = {
    name: this.repos.latestText(NAME),
    url: this.repos.latestText(URL),
    nameSeenAt: this.repos.maxTime(),
    ownerId: this.repos.latest<number>(),
    ownerLogin: this.repos.latestText(LOGIN),
    isFork: this.repos.latest<boolean>(),
    language: this.repos.latestText(WORD),
    createdAt: this.repos.latest<number>(),
    updatedAt: this.repos.latest<number>(),
    stars: this.repos.latest<number>(),
    forks: this.repos.latest<number>(),
    issues: this.repos.latest<number>(),
    watchers: this.repos.latest<number>(),
    size: this.repos.latest<number>(),
    detailsSeenAt: this.repos.maxTime(),
  };

  private readonly orgs = new Entities();
  private readonly org = {
    login: this.orgs.latestText(LOGIN),
    url: this.orgs.latestText(URL),
    avatarUrl: this.orgs.latestText(URL),
    loginSeenAt: this.orgs.maxTime(),
  };

  /**
   * The native twin holding this hour's observations (undefined: not decided yet; null: the JavaScript twin holds
   * them — no addon, a reader without the native pass, or a Timeline event met, which the JavaScript twin reads).
   */
  private native: { binding: NativeObservationsBinding; handle: object; reader: JsonReader } | null | undefined;

  /** `native: false`: always the JavaScript twin (the differential tests' reference). */
  constructor(options: { native?: boolean } = {}) {
    if (options.native === false) this.native = null;
  }

  add(e: SilverEventInput): void {
    if (e.era !== ERA_TIMELINE) {
      const n = this.native === undefined ? (this.native = startNative(e.fields)) : this.native;
      if (n !== null && n.reader === e.fields) return n.binding.observationsObserve(n.handle, e.createdAtMs, e.eventType === 'ForkEvent');
    }
    this.toJavaScript();
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
    const n = this.native;
    if (n) {
      const [actors, repositories, organizations] = n.binding.observationsCounts(n.handle);
      return { actors, repositories, organizations };
    }
    this.settle();
    return { actors: this.actors.size, repositories: this.repos.size, organizations: this.orgs.size };
  }

  /** Which twin holds the hour's observations. */
  get twin(): 'native' | 'javascript' {
    return this.native ? 'native' : 'javascript';
  }

  /** The native twin's memory back now (the hour's tables are written); nothing is observed after. */
  release(): void {
    const n = this.native;
    if (n) n.binding.observationsRelease(n.handle);
    this.native = null;
  }

  /**
   * Hand what the native twin observed to the JavaScript twin, which takes the rest of the hour (a Timeline event
   * in an hour of Events API events). The JavaScript twin has seen nothing yet: each entity's values and times are
   * set as they stand.
   */
  private toJavaScript(): void {
    const n = this.native;
    if (!n) return;
    this.native = null;
    const byName = this.columnsByName();
    const kinds = [
      [silverActorObservations, this.actors, byName.actors],
      [silverRepositoryObservations, this.repos, byName.repositories],
      [silverOrganizationObservations, this.orgs, byName.organizations],
    ] as const;
    kinds.forEach(([table, entities, columns], kind) => restore(table, n.binding.observationsTable(n.handle, kind as 0 | 1 | 2, true), entities, columns));
    n.binding.observationsRelease(n.handle);
  }

  /** Re-key Timeline logins the hour resolved (idempotent). */
  private settle(): void {
    if (this.identity.logins.size === 0) return;
    this.actors.rekey(this.identity.logins);
    this.orgs.rekey(this.identity.logins);
  }

  /** The three observation tables, rows ordered by id (Timeline logins re-keyed first). */
  batches(): { actors: ColumnarBatch; repositories: ColumnarBatch; organizations: ColumnarBatch } {
    const n = this.native;
    if (n) {
      const batches = {
        actors: nativeColumns(silverActorObservations, n.binding.observationsTable(n.handle, 0, false)),
        repositories: nativeColumns(silverRepositoryObservations, n.binding.observationsTable(n.handle, 1, false)),
        organizations: nativeColumns(silverOrganizationObservations, n.binding.observationsTable(n.handle, 2, false)),
      };
      return batches;
    }
    this.settle();
    const byName = this.columnsByName();
    return {
      actors: columns(silverActorObservations, this.actors, byName.actors),
      repositories: columns(silverRepositoryObservations, this.repos, byName.repositories),
      organizations: columns(silverOrganizationObservations, this.orgs, byName.organizations),
    };
  }

  /** Each table's columns by name: where the JavaScript twin keeps their values. */
  private columnsByName(): { actors: Record<string, EntityColumn>; repositories: Record<string, EntityColumn>; organizations: Record<string, EntityColumn> } {
    const a = this.actor;
    const r = this.repo;
    const o = this.org;
    return {
      actors: {
        actor_id: this.actors.id,
        actor_login: a.login,
        actor_display_login: a.displayLogin,
        actor_url: a.url,
        avatar_url: a.avatarUrl,
        gravatar_id: a.gravatarId,
        login_seen_at: a.loginSeenAt,
        actor_type: a.type,
        actor_site_admin: a.siteAdmin,
        type_seen_at: a.typeSeenAt,
        first_seen_at: this.actors.firstSeen,
        last_seen_at: this.actors.lastSeen,
      },
      repositories: {
        repo_id: this.repos.id,
        repo_name: r.name,
        repo_url: r.url,
        name_seen_at: r.nameSeenAt,
        owner_id: r.ownerId,
        owner_login: r.ownerLogin,
        is_fork: r.isFork,
        language: r.language,
        created_at: r.createdAt,
        updated_at: r.updatedAt,
        stars_count: r.stars,
        forks_count: r.forks,
        issues_count: r.issues,
        watchers_count: r.watchers,
        size: r.size,
        details_seen_at: r.detailsSeenAt,
        first_seen_at: this.repos.firstSeen,
        last_seen_at: this.repos.lastSeen,
      },
      organizations: {
        org_id: this.orgs.id,
        org_login: o.login,
        org_url: o.url,
        avatar_url: o.avatarUrl,
        login_seen_at: o.loginSeenAt,
        first_seen_at: this.orgs.firstSeen,
        last_seen_at: this.orgs.lastSeen,
      },
    };
  }
}

/** The native twin for the hour read by `f`, or null when it cannot run (no addon; a reader without the native pass). */
function startNative(f: JsonReader): { binding: NativeObservationsBinding; handle: object; reader: JsonReader } | null {
  const binding = nativeAddon<NativeObservationsBinding>();
  const reader = f.nativeHandle;
  if (binding?.observationsCreate === undefined || reader === undefined) return null;
  const s = NATIVE_SLOTS;
  const handle = binding.observationsCreate(reader, s.actor, s.repo, s.org, s.userObjects, s.repoObjects, s.forkee, (slot) => payloadTime(f, slot));
  return { binding, handle, reader: f };
}

/** A native table's text value of row r (decoded when it was escaped). */
function nativeText(t: NativeTable, col: { start: Int32Array; end: Int32Array; flags: Uint8Array }, r: number): string | null {
  const flag = col.flags[r];
  if (flag === 1) return null;
  const text = t.text.toString('utf8', col.start[r], col.end[r]);
  return flag === 2 ? (JSON.parse(text) as string) : text;
}

/** A native table as the writer's column vectors, in the table's declaration order. */
function nativeColumns(table: TableDecl, t: NativeTable): ColumnarBatch {
  const cols: Record<string, ColumnVector> = {};
  for (const c of table.columns) {
    const source = t.columns[c.name];
    if (source === undefined) throw new Error(`${table.layer}.${table.name}: no values for column ${c.name} in the native observations`);
    if (source instanceof Float64Array) {
      if (c.type === 'BOOLEAN') {
        const v = new BoolColumn();
        for (let r = 0; r < t.count; r++) v.push(source[r] !== source[r] ? null : source[r] === 1);
        cols[c.name] = v;
      } else {
        const v = new NumberColumn();
        for (let r = 0; r < t.count; r++) v.push(source[r] !== source[r] ? null : source[r]!);
        cols[c.name] = v;
      }
      continue;
    }
    // The bytes as they stand in the native records (their UTF-8); an escaped value decoded.
    const v = new BytesColumn();
    for (let r = 0; r < t.count; r++) {
      const flag = source.flags[r];
      if (flag === 1) v.pushNull();
      else if (flag === 0) v.pushRef(t.text, source.start[r]!, source.end[r]!);
      else v.pushString(nativeText(t, source, r));
    }
    cols[c.name] = v;
  }
  return { rowCount: t.count, columns: cols };
}

/** A native table's entities into the JavaScript twin's (empty) records: ids, spans, each attribute's value and time. */
function restore(table: TableDecl, t: NativeTable, entities: Entities, byName: Record<string, EntityColumn>): void {
  const [idColumn] = table.columns;
  const ids = t.columns[idColumn!.name] as Float64Array;
  const first = t.columns.first_seen_at as Float64Array;
  const last = t.columns.last_seen_at as Float64Array;
  for (let r = 0; r < t.count; r++) {
    const i = entities.at(ids[r]!, first[r]!);
    entities.at(ids[r]!, last[r]!);
    for (const c of table.columns) {
      const target = byName[c.name];
      const source = t.columns[c.name];
      if (target instanceof MaxTime) {
        const x = (source as Float64Array)[r]!;
        if (x === x) target.see(i, x);
      } else if (target instanceof Latest) {
        const time = t.times![c.name]![r]!;
        if (time !== time) continue;
        if (target instanceof LatestText) target.observe(i, nativeText(t, source as { start: Int32Array; end: Int32Array; flags: Uint8Array }, r), time);
        else {
          const x = (source as Float64Array)[r]!;
          target.observe(i, c.type === 'BOOLEAN' ? x === 1 : x, time);
        }
      }
    }
  }
}

/** The table's columns in declaration order, rows ordered by id; a time never seen is NULL. */
function columns(table: TableDecl, entities: Entities, byName: Record<string, EntityColumn>): ColumnarBatch {
  const order = entities.byId();
  const cols: Record<string, ColumnVector> = {};
  for (const c of table.columns) {
    const source = byName[c.name];
    if (source === undefined) throw new Error(`${table.layer}.${table.name}: no values for column ${c.name}`);
    cols[c.name] = source.vector(order, c.type);
  }
  return { rowCount: order.length, columns: cols };
}
