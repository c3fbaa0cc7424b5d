/**
 * The members of an event line that any table needs, declared once as a tree of paths. The line
 * reader (json-reader.ts) walks a line ONCE and, for every path of this tree it meets, records
 * where the value starts and ends and what JSON type it is, in a numbered slot; nothing else of the
 * line is decoded. Bronze, silver and the observations read the slots they need (event-view.ts).
 *
 * Another layout (the pre-2015 Timeline API, issue 14) adds its members and payload paths here:
 * the reader still makes one pass per line, whatever the tree holds.
 */

/** A member of the tree: its key, its slot, and the members below it (read when its value is an object). */
export interface FieldNode {
  readonly key: string;
  /** Dotted path from the event object, e.g. `payload.pull_request.id`. */
  readonly path: string;
  readonly slot: number;
  /** One past the last slot of this node's subtree (slots are numbered depth-first). */
  readonly subtreeEnd: number;
  readonly children: readonly FieldNode[];
  /** Top-level members that have bronze columns of their own (every other top-level key goes to `other`). */
  readonly ownColumn: boolean;
}

type Spec = { [key: string]: Spec };

/** User objects (`{id, login, type, site_admin, ...}`): what the actor observations read of them (login: Timeline actors are resolved by it). */
const USER: Spec = { id: {}, login: {}, type: {}, site_admin: {} };
/** An owner inside a repository object: both a user object (type, site_admin) and the repo's owner (id, login). */
const OWNER: Spec = { id: {}, login: {}, type: {}, site_admin: {} };
/** Repository objects inside payloads: what the repository observations read of them. */
const REPO: Spec = {
  id: {},
  owner: OWNER,
  fork: {},
  language: {},
  created_at: {},
  updated_at: {},
  stargazers_count: {},
  forks_count: {},
  open_issues_count: {},
  watchers_count: {},
  size: {},
};

/** Top-level keys with a bronze column of their own; any other key goes to `other`. */
export const OWN_COLUMN_KEYS: readonly string[] = ['id', 'type', 'actor', 'repo', 'org', 'payload', 'public', 'created_at'];

/**
 * The Timeline API's `repository` object (mid-2012 to 2014): `owner` and `organization` are login
 * strings, the counts are `stargazers`/`watchers`/`forks`/`open_issues` (timeline.ts reads them).
 */
const TIMELINE_REPOSITORY: Spec = {
  id: {},
  name: {},
  owner: {},
  organization: {},
  url: {},
  fork: {},
  language: {},
  created_at: {},
  stargazers: {},
  watchers: {},
  forks: {},
  open_issues: {},
  size: {},
};

/**
 * Events API lines (2011 and 2015 onwards) and Timeline API lines (mid-2012 to 2014: `actor` a
 * login string with `actor_attributes`, `repository` instead of `repo`, no `id`; timeline.ts).
 */
const EVENT: Spec = {
  id: {},
  type: {},
  created_at: {},
  public: {},
  actor: { id: {}, login: {}, display_login: {}, url: {}, avatar_url: {}, gravatar_id: {} },
  repo: { id: {}, name: {}, url: {} },
  org: { id: {}, login: {}, url: {}, avatar_url: {} },
  repository: TIMELINE_REPOSITORY,
  actor_attributes: { id: {}, login: {}, type: {}, gravatar_id: {} },
  url: {},
  payload: {
    action: {},
    ref: {},
    ref_type: {},
    head: {},
    before: {},
    size: {},
    distinct_size: {},
    issue: { id: {}, user: USER, assignee: USER },
    pull_request: {
      id: {},
      merged: {},
      user: USER,
      merged_by: USER,
      assignee: USER,
      head: { user: USER, repo: REPO },
      base: { user: USER, repo: REPO },
    },
    comment: { id: {}, user: USER },
    // Timeline and early Events API payloads: ids as plain numbers, commits as `shas` arrays.
    issue_id: {},
    comment_id: {},
    shas: {},
    review: { user: USER },
    member: USER,
    target: USER,
    forkee: { ...REPO, full_name: {}, url: {} },
    release: { author: USER },
    repository: REPO,
  },
};

function build(spec: Spec, prefix: string, next: { slot: number }, top: boolean): FieldNode[] {
  return Object.entries(spec).map(([key, sub]) => {
    const slot = next.slot++;
    const path = prefix ? `${prefix}.${key}` : key;
    const children = build(sub, path, next, false);
    return { key, path, slot, subtreeEnd: next.slot, children, ownColumn: top && OWN_COLUMN_KEYS.includes(key) };
  });
}

const counter = { slot: 0 };
/** The event object's members, as read by the line reader. */
export const EVENT_FIELDS: readonly FieldNode[] = build(EVENT, '', counter, true);
export const SLOT_COUNT = counter.slot;

const byPath = new Map<string, FieldNode>();
(function index(nodes: readonly FieldNode[]) {
  for (const n of nodes) {
    byPath.set(n.path, n);
    index(n.children);
  }
})(EVENT_FIELDS);

/** The node of a declared path (throws for a path the tree does not hold: a typo is a bug). */
export function fieldAt(path: string): FieldNode {
  const n = byPath.get(path);
  if (!n) throw new Error(`event-fields: no path ${path}`);
  return n;
}

/** The slot of a declared path. */
export const slotOf = (path: string): number => fieldAt(path).slot;
