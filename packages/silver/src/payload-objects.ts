/** Where payloads hold user and repository objects: read by the observations and by Timeline actor resolution (identity.ts). */

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
  // FollowEvent (retired in 2014): the followed user
  ['target'],
];

/** Payload paths holding repository objects (`{id, full_name, owner, fork, language, ...}`). */
export const REPO_OBJECT_PATHS: readonly (readonly string[])[] = [['pull_request', 'base', 'repo'], ['pull_request', 'head', 'repo'], ['repository']];

/**
 * The paths in the order the rule walks them: merged into a tree (objects sharing a prefix, as
 * `pull_request.*`, side by side), depth first. Within one event a later object of the walk wins a
 * tie, so the order is part of the rule.
 */
export function walkOrder(paths: readonly (readonly string[])[]): string[] {
  interface PathNode {
    key: string;
    children: PathNode[] | null;
  }
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
  const out: string[] = [];
  const walk = (level: PathNode[], prefix: string) => {
    for (const n of level) {
      const p = `${prefix}.${n.key}`;
      if (n.children === null) out.push(p);
      else walk(n.children, p);
    }
  };
  walk(root, 'payload');
  return out;
}
