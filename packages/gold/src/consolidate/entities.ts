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
 * (seen_at, source_hour, file_row_number) packed into one HUGEINT, which arg_max compares about
 * twice as fast as a STRUCT: microseconds since the epoch × 10^13 + hour × 10^7 + row. Exact while
 * an hour file has under 10^7 rows and hours since the epoch stay under 10^6 (until 2084).
 */
function recencyKey(seenAt: string): string {
  return `(CAST(epoch_us(${seenAt}) AS HUGEINT) * 10000000000000 + CAST(source_hour AS HUGEINT) * 10000000 + file_row_number)`;
}

/** The fold as one SELECT over a relation of observations with `source_hour` and `file_row_number` columns. */
export function entityFoldSql(fold: EntityFold, observations: string): string {
  const id = sqlIdent(fold.id);
  const columns = fold.entity.columns.map((c) => {
    const name = sqlIdent(c.name);
    if (c.name === fold.id) return `${id}`;
    if (fold.constants && c.name in fold.constants) return `${fold.constants[c.name]} AS ${name}`;
    if (c.name === 'first_seen_at') return `min("first_seen_at") AS ${name}`;
    if (c.name === 'last_seen_at') return `max("last_seen_at") AS ${name}`;
    const seenAt = fold.attributes[c.name];
    if (seenAt === undefined) throw new Error(`entity fold ${fold.entity.name}: no rule for column ${c.name}`);
    // The latest non-NULL value by (seen_at, source hour, row in file): ties go to the later hour.
    return `arg_max(${name}, ${recencyKey(sqlIdent(seenAt))}) FILTER (WHERE ${name} IS NOT NULL AND ${sqlIdent(seenAt)} IS NOT NULL) AS ${name}`;
  });
  return `SELECT ${columns.join(', ')} FROM ${observations} GROUP BY ${id}`;
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
  let body: string;
  if (partitions.length === 0) {
    body = `SELECT * FROM ${emptyRelation(fold.entity)}`;
  } else {
    const observations = `(SELECT *, ((CAST("date" AS DATE) - DATE '1970-01-01') * 24 + "hour") AS source_hour
       FROM ${readParquet(
         partitions.map((p) => p.file),
         { hive: true, fileRowNumber: true },
       )})`;
    body = entityFoldSql(fold, observations);
  }
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  try {
    await runSql(
      connection,
      `COPY (SELECT ${typedSelectList(fold.entity)} FROM (${body}) ORDER BY ${sqlIdent(fold.id)})
       TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION snappy)`,
      `consolidating silver.${fold.entity.name}`,
    );
    const rows = await queryNumber(connection, `SELECT count(*) FROM ${readParquet(tmp)}`);
    await commitFile(tmp, target);
    return { table: fold.entity.name, partitions: partitions.length, rows, file: target };
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
  }
}

export async function consolidateEntities(connection: DuckDBConnection, lake: string): Promise<EntityResult[]> {
  const out: EntityResult[] = [];
  for (const fold of ENTITY_FOLDS) out.push(await consolidateEntity(connection, lake, fold));
  return out;
}
