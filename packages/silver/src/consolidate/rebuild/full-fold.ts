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
import { ENTITY_RULES, commitFile, entityAttributes, tempPathFor, type EntityRule, type TableDecl } from '@ghlake/core';
import { queryNumber, runSql } from '@ghlake/core/duckdb';
import { consolidatedFile, listPartitionFiles } from '@ghlake/core/duckdb';
import { emptyRelation, readParquet, sqlIdent, sqlString, typedSelectList } from '@ghlake/core/duckdb';

/** How an entity table is folded from its observation table: derived from core's ENTITY_RULES. */
export interface EntityFold {
  entity: TableDecl;
  observations: TableDecl;
  id: string;
  /** attribute column → the *_seen_at column that dates it. */
  attributes: Record<string, string>;
  /** Entity columns with a constant value, e.g. organizations.description (always NULL). */
  constants?: Record<string, string>;
}

export const ENTITY_FOLDS: readonly EntityFold[] = ENTITY_RULES.map((rule: EntityRule) => ({
  entity: rule.entity,
  observations: rule.observations,
  id: rule.id,
  attributes: Object.fromEntries(entityAttributes(rule).map((a) => [a.attribute, a.seenAt])),
  ...(rule.constants ? { constants: { ...rule.constants } } : {}),
}));

/**
 * (seen_at, source_hour, file_row_number) packed into one HUGEINT so "latest" is a plain max:
 * microseconds since the epoch × 10^13 + hour × 10^7 + row. Exact while an hour file has under
 * 10^7 rows and hours since the epoch stay under 10^6 (until 2084). NULL when seen_at is NULL.
 */
function recencyKey(seenAt: string): string {
  return `(CAST(epoch_us(${seenAt}) AS HUGEINT) * 10000000000000 + CAST(source_hour AS HUGEINT) * 10000000 + file_row_number)`;
}

const keyColumn = (seenAt: string) => sqlIdent(`k_${seenAt}`);
const latestColumn = (seenAt: string) => sqlIdent(`latest_${seenAt}`);
const winnerColumn = (attribute: string) => sqlIdent(`w_${attribute}`);

/**
 * The fold as SQL statements over `observations` (a relation with `source_hour` and
 * `file_row_number`), ending in a SELECT of the entity's columns.
 *
 * Why not one `arg_max(value, key)` per attribute: that keeps a string per attribute per id,
 * which can neither spill nor fit in memory for millions of ids (it failed at 20M events), and
 * even fixed-size per-attribute keys cost a dozen filtered aggregates over every observation.
 * Instead, per attribute group (attributes sent together, dated by one *_seen_at):
 *   1. `latest`: per id, min/max seen and the key of the group's latest observation — a few
 *      fixed-size aggregates, which DuckDB spills to disk;
 *   2. `rows`: that latest observation of each id (a join on the key);
 *   3. `older`: only for ids whose latest observation lacks an attribute, the key of the latest
 *      observation that has it, and those observations' values;
 *   4. each attribute = the latest observation's value, else the older one's.
 */
/**
 * `withRecency`: the SELECT also gives, per attribute, the (seen_at, source hour) of the observation
 * its value came from (`<attr>__seen`, `<attr>__hour`): what silver's incremental state keeps.
 */
export function entityFoldStatements(
  fold: EntityFold,
  observations: string,
  prefix: string,
  options: { withRecency?: boolean } = {},
): { setup: string[]; select: string; cleanup: string[] } {
  const id = sqlIdent(fold.id);
  const groups = [...new Set(Object.values(fold.attributes))];
  const keyed = `${prefix}_keyed`;
  const latest = `${prefix}_latest`;
  const rows = (g: string) => `${prefix}_rows_${g}`;
  const olderKeys = (g: string) => `${prefix}_older_keys_${g}`;
  const olderRows = (g: string) => `${prefix}_older_rows_${g}`;
  for (const c of fold.entity.columns) {
    const known =
      c.name === fold.id ||
      c.name === 'first_seen_at' ||
      c.name === 'last_seen_at' ||
      c.name in fold.attributes ||
      (fold.constants !== undefined && c.name in fold.constants);
    if (!known) throw new Error(`entity fold ${fold.entity.name}: no rule for column ${c.name}`);
  }
  const members = (g: string) =>
    Object.entries(fold.attributes)
      .filter(([, group]) => group === g)
      .map(([a]) => a);
  const values = (g: string, alias: string) =>
    members(g)
      .map((a) => `${alias}.${sqlIdent(a)}`)
      .join(', ');
  const setup = [
    `CREATE OR REPLACE TEMP VIEW ${keyed} AS SELECT *, ${groups.map((g) => `${recencyKey(sqlIdent(g))} AS ${keyColumn(g)}`).join(', ')} FROM ${observations}`,
    `CREATE OR REPLACE TEMP TABLE ${latest} AS SELECT ${id}, min("first_seen_at") AS "first_seen_at", max("last_seen_at") AS "last_seen_at", ${groups
      .map((g) => `max(${keyColumn(g)}) AS ${latestColumn(g)}`)
      .join(', ')} FROM ${keyed} GROUP BY ${id}`,
    ...groups.flatMap((g) => [
      `CREATE OR REPLACE TEMP TABLE ${rows(g)} AS SELECT o.${id}, ${values(g, 'o')}
        FROM ${keyed} o JOIN ${latest} l ON o.${id} = l.${id} AND o.${keyColumn(g)} = l.${latestColumn(g)}`,
      `CREATE OR REPLACE TEMP TABLE ${olderKeys(g)} AS SELECT o.${id}, ${members(g)
        .map((a) => `max(o.${keyColumn(g)}) FILTER (WHERE o.${sqlIdent(a)} IS NOT NULL) AS ${winnerColumn(a)}`)
        .join(', ')}
        FROM ${keyed} o SEMI JOIN (SELECT ${id} FROM ${rows(g)} WHERE ${members(g)
          .map((a) => `${sqlIdent(a)} IS NULL`)
          .join(' OR ')}) m ON o.${id} = m.${id}
        WHERE o.${keyColumn(g)} IS NOT NULL GROUP BY o.${id}`,
      `CREATE OR REPLACE TEMP TABLE ${olderRows(g)} AS SELECT o.${id}, o.${keyColumn(g)}, ${values(g, 'o')}
        FROM ${keyed} o SEMI JOIN (${members(g)
          .map((a) => `SELECT ${id}, ${winnerColumn(a)} AS k FROM ${olderKeys(g)} WHERE ${winnerColumn(a)} IS NOT NULL`)
          .join(' UNION ')}) w ON o.${id} = w.${id} AND o.${keyColumn(g)} = w.k`,
    ]),
  ];
  const joins = groups.flatMap((g, i) => [`LEFT JOIN ${rows(g)} r${i} ON r${i}.${id} = l.${id}`, `LEFT JOIN ${olderKeys(g)} k${i} ON k${i}.${id} = l.${id}`]);
  const columns = fold.entity.columns.map((c) => {
    const name = sqlIdent(c.name);
    if (c.name === fold.id || c.name === 'first_seen_at' || c.name === 'last_seen_at') return `l.${name}`;
    if (fold.constants && c.name in fold.constants) return `${fold.constants[c.name]} AS ${name}`;
    const g = fold.attributes[c.name]!;
    const i = groups.indexOf(g);
    const older = `x${joins.length}`;
    joins.push(`LEFT JOIN ${olderRows(g)} ${older} ON ${older}.${id} = l.${id} AND ${older}.${keyColumn(g)} = k${i}.${winnerColumn(c.name)}`);
    return `COALESCE(r${i}.${name}, ${older}.${name}) AS ${name}`;
  });
  if (options.withRecency) {
    // The winning observation's key: the latest one's when it has the value, else the older winner's.
    for (const [attribute, g] of Object.entries(fold.attributes)) {
      const i = groups.indexOf(g);
      const key = `CASE WHEN r${i}.${sqlIdent(attribute)} IS NOT NULL THEN l.${latestColumn(g)} ELSE k${i}.${winnerColumn(attribute)} END`;
      columns.push(
        `make_timestamp(CAST((${key}) // 10000000000000 AS BIGINT)) AS ${sqlIdent(`${attribute}__seen`)}`,
        `CAST(((${key}) // 10000000) % 1000000 AS INTEGER) AS ${sqlIdent(`${attribute}__hour`)}`,
      );
    }
  }
  return {
    setup,
    select: `SELECT ${columns.join(', ')} FROM ${latest} l ${joins.join(' ')}`,
    cleanup: [
      ...groups.flatMap((g) => [`DROP TABLE IF EXISTS ${olderRows(g)}`, `DROP TABLE IF EXISTS ${olderKeys(g)}`, `DROP TABLE IF EXISTS ${rows(g)}`]),
      `DROP TABLE IF EXISTS ${latest}`,
      `DROP VIEW IF EXISTS ${keyed}`,
    ],
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
