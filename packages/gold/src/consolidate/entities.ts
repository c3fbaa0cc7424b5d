/**
 * Entity consolidation: silver/actors, silver/repositories and silver/organizations (one row
 * per id, `<lake>/silver/<name>/part-0.parquet`) folded from ALL per-hour observation
 * partitions with the rule declared in core's silver-observations.ts:
 *
 *   first_seen_at = min(first_seen_at), last_seen_at = max(last_seen_at);
 *   each attribute = its value in the latest observation where it is non-NULL, "latest" by
 *   the attribute group's *_seen_at, ties broken by the later source hour.
 *
 * Recomputed from every partition each time: the fold is then independent of processing
 * order, and a reprocessed hour simply replaces its own observations.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  commitFile,
  silverActorObservations,
  silverActors,
  silverOrganizationObservations,
  silverOrganizations,
  silverRepositoryObservations,
  silverRepositories,
  tempPathFor,
  type TableDecl,
} from '@ghlake/core';
import { queryNumber, runSql } from '../duckdb.js';
import { consolidatedFile, listPartitionFiles } from '../lake-files.js';
import { emptyRelation, readParquet, sqlIdent, sqlString, typedSelectList } from '../sql.js';

/** How an entity table is folded from its observation table. */
export interface EntityFold {
  entity: TableDecl;
  observations: TableDecl;
  id: string;
  /** attribute column → the *_seen_at column that dates it. */
  attributes: Record<string, string>;
  /** Entity columns with a constant value, e.g. organizations.description (always NULL). */
  constants?: Record<string, string>;
}

const group = (seenAt: string, columns: string[]): Record<string, string> => Object.fromEntries(columns.map((c) => [c, seenAt]));

export const ENTITY_FOLDS: readonly EntityFold[] = [
  {
    entity: silverActors,
    observations: silverActorObservations,
    id: 'actor_id',
    attributes: {
      ...group('login_seen_at', ['actor_login', 'actor_display_login', 'actor_url', 'avatar_url', 'gravatar_id']),
      ...group('type_seen_at', ['actor_type', 'actor_site_admin']),
    },
  },
  {
    entity: silverRepositories,
    observations: silverRepositoryObservations,
    id: 'repo_id',
    attributes: {
      ...group('name_seen_at', ['repo_name', 'repo_url']),
      ...group('details_seen_at', [
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
      ]),
    },
  },
  {
    entity: silverOrganizations,
    observations: silverOrganizationObservations,
    id: 'org_id',
    attributes: group('login_seen_at', ['org_login', 'org_url', 'avatar_url']),
    // No GH Archive event carries an organization description.
    constants: { description: 'NULL' },
  },
];

/**
 * (seen_at, source_hour, file_row_number) packed into one HUGEINT so "latest" is a plain max:
 * microseconds since the epoch × 10^13 + hour × 10^7 + row. Exact while an hour file has under
 * 10^7 rows and hours since the epoch stay under 10^6 (until 2084). NULL when seen_at is NULL.
 */
function recencyKey(seenAt: string): string {
  return `(CAST(epoch_us(${seenAt}) AS HUGEINT) * 10000000000000 + CAST(source_hour AS HUGEINT) * 10000000 + file_row_number)`;
}

const keyColumn = (seenAt: string) => sqlIdent(`k_${seenAt}`);
const winnerColumn = (attribute: string) => sqlIdent(`w_${attribute}`);

/**
 * The fold as SQL statements over `observations` (a relation with `source_hour` and
 * `file_row_number`), ending in a SELECT of the entity's columns. Two phases, because an
 * aggregate holding one string per attribute per id (arg_max) can neither spill nor fit in
 * memory for millions of ids:
 *   1. `winners`: per id, min/max seen and, per attribute, the recency key of its latest non-NULL
 *      observation — fixed-size aggregate states, which DuckDB spills to disk;
 *   2. per attribute group, the observation rows that win some attribute (usually one per id),
 *      then one join per attribute picks its value from the row whose key won.
 */
export function entityFoldStatements(fold: EntityFold, observations: string, prefix: string): { setup: string[]; select: string; cleanup: string[] } {
  const id = sqlIdent(fold.id);
  const groups = [...new Set(Object.values(fold.attributes))];
  const keyed = `${prefix}_keyed`;
  const winners = `${prefix}_winners`;
  const candidates = (seenAt: string) => `${prefix}_rows_${seenAt}`;
  for (const c of fold.entity.columns) {
    const known = c.name === fold.id || c.name === 'first_seen_at' || c.name === 'last_seen_at' || c.name in fold.attributes || (fold.constants !== undefined && c.name in fold.constants);
    if (!known) throw new Error(`entity fold ${fold.entity.name}: no rule for column ${c.name}`);
  }
  const attributes = Object.entries(fold.attributes);
  const setup = [
    `CREATE OR REPLACE TEMP VIEW ${keyed} AS SELECT *, ${groups.map((g) => `${recencyKey(sqlIdent(g))} AS ${keyColumn(g)}`).join(', ')} FROM ${observations}`,
    `CREATE OR REPLACE TEMP TABLE ${winners} AS SELECT ${id}, min("first_seen_at") AS "first_seen_at", max("last_seen_at") AS "last_seen_at", ${attributes
      .map(([a, g]) => `max(${keyColumn(g)}) FILTER (WHERE ${sqlIdent(a)} IS NOT NULL) AS ${winnerColumn(a)}`)
      .join(', ')} FROM ${keyed} GROUP BY ${id}`,
    ...groups.map((g) => {
      const members = attributes.filter(([, group]) => group === g).map(([a]) => a);
      const wins = members.map((a) => `SELECT ${id}, ${winnerColumn(a)} AS k FROM ${winners} WHERE ${winnerColumn(a)} IS NOT NULL`).join(' UNION ');
      return `CREATE OR REPLACE TEMP TABLE ${candidates(g)} AS SELECT o.${id}, o.${keyColumn(g)}, ${members.map((a) => `o.${sqlIdent(a)}`).join(', ')}
        FROM ${keyed} o SEMI JOIN (${wins}) w ON o.${id} = w.${id} AND o.${keyColumn(g)} = w.k`;
    }),
  ];
  const joins: string[] = [];
  const columns = fold.entity.columns.map((c) => {
    const name = sqlIdent(c.name);
    if (c.name === fold.id || c.name === 'first_seen_at' || c.name === 'last_seen_at') return `w.${name}`;
    if (fold.constants && c.name in fold.constants) return `${fold.constants[c.name]} AS ${name}`;
    const g = fold.attributes[c.name]!;
    const alias = `a${joins.length}`;
    joins.push(`LEFT JOIN ${candidates(g)} ${alias} ON ${alias}.${id} = w.${id} AND ${alias}.${keyColumn(g)} = w.${winnerColumn(c.name)}`);
    return `${alias}.${name} AS ${name}`;
  });
  return {
    setup,
    select: `SELECT ${columns.join(', ')} FROM ${winners} w ${joins.join(' ')}`,
    cleanup: [...groups.map((g) => `DROP TABLE IF EXISTS ${candidates(g)}`), `DROP TABLE IF EXISTS ${winners}`, `DROP VIEW IF EXISTS ${keyed}`],
  };
}

export interface EntityResult {
  table: string;
  /** Observation partitions folded. */
  partitions: number;
  rows: number;
  file: string;
}

/** Fold one entity table and replace its file atomically. */
export async function consolidateEntity(connection: DuckDBConnection, lake: string, fold: EntityFold): Promise<EntityResult> {
  const partitions = await listPartitionFiles(lake, fold.observations);
  const target = consolidatedFile(lake, fold.entity);
  let plan: { setup: string[]; select: string; cleanup: string[] };
  if (partitions.length === 0) {
    plan = { setup: [], select: `SELECT * FROM ${emptyRelation(fold.entity)}`, cleanup: [] };
  } else {
    const observations = `(SELECT *, ((CAST("date" AS DATE) - DATE '1970-01-01') * 24 + "hour") AS source_hour
       FROM ${readParquet(
         partitions.map((p) => p.file),
         { hive: true, fileRowNumber: true },
       )})`;
    plan = entityFoldStatements(fold, observations, `fold_${fold.entity.name}`);
  }
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  const doing = `consolidating silver.${fold.entity.name}`;
  try {
    for (const statement of plan.setup) await runSql(connection, statement, doing);
    await runSql(
      connection,
      `COPY (SELECT ${typedSelectList(fold.entity)} FROM (${plan.select}) ORDER BY ${sqlIdent(fold.id)})
       TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION snappy)`,
      doing,
    );
    const rows = await queryNumber(connection, `SELECT count(*) FROM ${readParquet(tmp)}`);
    await commitFile(tmp, target);
    return { table: fold.entity.name, partitions: partitions.length, rows, file: target };
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
  } finally {
    for (const statement of plan.cleanup) await runSql(connection, statement).catch(() => undefined);
  }
}

export async function consolidateEntities(connection: DuckDBConnection, lake: string): Promise<EntityResult[]> {
  const out: EntityResult[] = [];
  for (const fold of ENTITY_FOLDS) out.push(await consolidateEntity(connection, lake, fold));
  return out;
}
