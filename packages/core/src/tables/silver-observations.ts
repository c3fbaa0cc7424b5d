import { col, type TableDecl } from './types.js';
import { silverActors } from './silver-actors.js';
import { silverOrganizations } from './silver-organizations.js';
import { silverRepositories } from './silver-repositories.js';

/** One row per entity: its login, name and URLs are nearly all distinct within a file (no dictionary, no min/max: neither pays). */
const DISTINCT = { distinctValues: true } as const;

/**
 * Per-hour entity observations: the hour transform's contribution to the entity tables.
 * One row per entity id per source hour. Consolidation (packages/gold, in DuckDB) folds all
 * hours into silver.actors / repositories / organizations:
 *   first_seen_at = min(first_seen_at), last_seen_at = max(last_seen_at);
 *   every attribute = the value from the latest observation that has it non-NULL, "latest" by
 *   the attribute group's *_seen_at (ties: the later source hour).
 * Within an hour the transform applies the same rule over the hour's events (ties: later line).
 * Attribute groups share one *_seen_at because GitHub sends them together in one object.
 */
export const silverActorObservations = {
  layer: 'silver',
  name: 'actor_observations',
  grain: 'one row per actor id per source hour',
  key: ['actor_id'],
  partitioning: 'hour',
  columns: [
    col('actor_id', 'BIGINT', false, '`actor.id`'),
    col('actor_login', 'VARCHAR', true, '`actor.login`', DISTINCT),
    col('actor_display_login', 'VARCHAR', true, '`actor.display_login`', DISTINCT),
    col('actor_url', 'VARCHAR', true, '`actor.url`', DISTINCT),
    col('avatar_url', 'VARCHAR', true, '`actor.avatar_url`', DISTINCT),
    col('gravatar_id', 'VARCHAR', true, '`actor.gravatar_id`'),
    col('login_seen_at', 'TIMESTAMP', false, 'created_at of the latest event whose `actor` object gave the attributes above'),
    col('actor_type', 'VARCHAR', true, "`type` of a payload user object with the actor's id"),
    col('actor_site_admin', 'BOOLEAN', true, "`site_admin` of a payload user object with the actor's id"),
    col('type_seen_at', 'TIMESTAMP', true, 'created_at of the latest event with such a payload user object; NULL if none'),
    col('first_seen_at', 'TIMESTAMP', false, 'min created_at in the hour of events with this actor'),
    col('last_seen_at', 'TIMESTAMP', false, 'max created_at in the hour of events with this actor'),
  ],
} as const satisfies TableDecl;

export const silverRepositoryObservations = {
  layer: 'silver',
  name: 'repository_observations',
  grain: 'one row per repository id per source hour',
  key: ['repo_id'],
  partitioning: 'hour',
  columns: [
    col('repo_id', 'BIGINT', false, '`repo.id`, or the id of a payload repository object (forkee)'),
    col('repo_name', 'VARCHAR', true, '`repo.name` (or `full_name` of a payload repository object)', DISTINCT),
    col('repo_url', 'VARCHAR', true, '`repo.url`', DISTINCT),
    col('name_seen_at', 'TIMESTAMP', true, 'created_at of the latest event that gave name/url'),
    col('owner_id', 'BIGINT', true, 'payload repository object `owner.id`'),
    col('owner_login', 'VARCHAR', true, 'payload repository object `owner.login`'),
    col('is_fork', 'BOOLEAN', true, 'payload repository object `fork`'),
    col('language', 'VARCHAR', true, 'payload repository object `language`'),
    col('created_at', 'TIMESTAMP', true, 'payload repository object `created_at`'),
    col('updated_at', 'TIMESTAMP', true, 'payload repository object `updated_at`'),
    col('stars_count', 'BIGINT', true, 'payload repository object `stargazers_count`'),
    col('forks_count', 'BIGINT', true, 'payload repository object `forks_count`'),
    col('issues_count', 'BIGINT', true, 'payload repository object `open_issues_count`'),
    col('watchers_count', 'BIGINT', true, 'payload repository object `watchers_count`'),
    col('size', 'BIGINT', true, 'payload repository object `size`'),
    col('details_seen_at', 'TIMESTAMP', true, 'created_at of the latest event with a payload repository object for this id; NULL if none'),
    col('first_seen_at', 'TIMESTAMP', false, 'min created_at in the hour of events the repository appears in'),
    col('last_seen_at', 'TIMESTAMP', false, 'max created_at in the hour of events the repository appears in'),
  ],
} as const satisfies TableDecl;

export const silverOrganizationObservations = {
  layer: 'silver',
  name: 'organization_observations',
  grain: 'one row per organization id per source hour',
  key: ['org_id'],
  partitioning: 'hour',
  columns: [
    col('org_id', 'BIGINT', false, '`org.id`'),
    col('org_login', 'VARCHAR', true, '`org.login`', DISTINCT),
    col('org_url', 'VARCHAR', true, '`org.url`', DISTINCT),
    col('avatar_url', 'VARCHAR', true, '`org.avatar_url`', DISTINCT),
    col('login_seen_at', 'TIMESTAMP', false, 'created_at of the latest event that gave the attributes above'),
    col('first_seen_at', 'TIMESTAMP', false, 'min created_at in the hour of events carrying the org'),
    col('last_seen_at', 'TIMESTAMP', false, 'max created_at in the hour of events carrying the org'),
  ],
} as const satisfies TableDecl;

/**
 * The one rule that makes an entity table from its observations, over an hour (the transform,
 * silver/src/observations.ts) and across hours (silver consolidation):
 *
 *   first_seen_at = min, last_seen_at = max;
 *   each attribute = its value in the latest observation where it is non-NULL, "latest" by its
 *   group's seen-at column (ties: the later source hour; within an hour, the later line).
 *
 * A group is a set of attributes GitHub sends together in one object, dated by one column.
 */
export interface EntityAttributeGroup {
  /** The observation column that dates the group (e.g. `login_seen_at`). */
  seenAt: string;
  attributes: readonly string[];
}

export interface EntityRule {
  entity: TableDecl;
  observations: TableDecl;
  /** The id column, in both tables. */
  id: string;
  groups: readonly EntityAttributeGroup[];
  /** Entity columns with a constant SQL value (no event carries them). */
  constants?: Readonly<Record<string, string>>;
}

export const ENTITY_RULES = [
  {
    entity: silverActors,
    observations: silverActorObservations,
    id: 'actor_id',
    groups: [
      { seenAt: 'login_seen_at', attributes: ['actor_login', 'actor_display_login', 'actor_url', 'avatar_url', 'gravatar_id'] },
      { seenAt: 'type_seen_at', attributes: ['actor_type', 'actor_site_admin'] },
    ],
  },
  {
    entity: silverRepositories,
    observations: silverRepositoryObservations,
    id: 'repo_id',
    groups: [
      { seenAt: 'name_seen_at', attributes: ['repo_name', 'repo_url'] },
      {
        seenAt: 'details_seen_at',
        attributes: [
          'owner_id',
          'owner_login',
          'is_fork',
          'language',
          'created_at',
          'updated_at',
          'stars_count',
          'forks_count',
          'issues_count',
          'watchers_count',
          'size',
        ],
      },
    ],
  },
  {
    entity: silverOrganizations,
    observations: silverOrganizationObservations,
    id: 'org_id',
    groups: [{ seenAt: 'login_seen_at', attributes: ['org_login', 'org_url', 'avatar_url'] }],
    // No GH Archive event carries an organization description.
    constants: { description: 'NULL' },
  },
] as const satisfies readonly EntityRule[];

/** Every attribute of a rule with the group column that dates it. */
export function entityAttributes(rule: EntityRule): { attribute: string; seenAt: string }[] {
  return rule.groups.flatMap((g) => g.attributes.map((attribute) => ({ attribute, seenAt: g.seenAt })));
}
