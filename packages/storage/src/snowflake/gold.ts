/**
 * Scale-out gold: the gold SQL models run inside Snowflake over the loaded silver tables, each
 * result swapped in atomically (CREATE ... __NEW LIKE; INSERT ... SELECT; SWAP; DROP), then the
 * table's GHLAKE_LOADS rows are removed: the table no longer holds the lake's gold files, so the
 * next `ghlake snowflake load` replaces it from the lake's live files instead of MERGEing the
 * lake's deltas onto rows the lake did not write.
 *
 * Storage cannot import packages/gold (module boundaries), so the caller renders the models for
 * Snowflake and hands over `{ table, sql }`: `table` a gold table name (`actor_metrics` or
 * `gold.actor_metrics`), `sql` one SELECT producing the declared columns by name (case-insensitive),
 * reading silver through the names `snowflakeTableRefs` gives. The INSERT selects the declared
 * columns by name from it, so column order in the model does not matter.
 */
import { ERROR_CODES, GOLD_TABLES, GhlakeError, type Logger, type TableDecl } from '@ghlake/core';
import { objectsFrom, type SnowflakeConnectionConfig, type SnowflakeObjects } from './options.js';
import { NEW_TABLE_SUFFIX, columnRef, loadsTableRef, tableKey, tableRef } from './objects.js';
import { withSnowflakeSession } from './session.js';
import { statement, type SqlExecutor, type SqlStatement } from './statement.js';

export interface RenderedModel {
  table: string;
  sql: string;
}

export interface GoldModelUnit {
  table: TableDecl;
  build: SqlStatement[];
  insert: SqlStatement;
  swap: SqlStatement[];
  undo: SqlStatement[];
}

export interface SnowflakeGoldTable {
  table: string;
  rowsInserted: number;
}

function goldTableOf(name: string): TableDecl {
  const bare = name
    .trim()
    .toLowerCase()
    .replace(/^gold\./, '');
  const table = GOLD_TABLES.find((t) => t.name === bare);
  if (!table) {
    throw new GhlakeError(ERROR_CODES.USAGE, `'${name}' is not a gold table`, { hint: `gold tables are ${GOLD_TABLES.map((t) => t.name).join(', ')}` });
  }
  return table;
}

export function planGoldInSnowflake(objects: SnowflakeObjects, models: readonly RenderedModel[]): GoldModelUnit[] {
  const seen = new Set<string>();
  return models.map((model) => {
    const table = goldTableOf(model.table);
    if (seen.has(table.name)) throw new GhlakeError(ERROR_CODES.USAGE, `gold model ${table.name} is given twice`, { hint: 'pass each gold model once' });
    seen.add(table.name);
    const sql = model.sql.trim().replace(/;\s*$/, '');
    if (sql === '')
      throw new GhlakeError(ERROR_CODES.USAGE, `gold model ${table.name} has no SQL`, { hint: 'render the model for Snowflake before running it' });
    const key = tableKey(table);
    const target = tableRef(objects, table);
    const fresh = tableRef(objects, table, NEW_TABLE_SUFFIX);
    const columns = table.columns.map((c) => columnRef(c.name)).join(', ');
    return {
      table,
      build: [statement(`build ${key}: create an empty copy to build into`, `CREATE OR REPLACE TABLE ${fresh} LIKE ${target}`)],
      insert: statement(`build ${key}: run the model`, `INSERT INTO ${fresh} (${columns})\nSELECT ${columns}\nFROM (\n${sql}\n) AS model`),
      swap: [
        statement(`build ${key}: swap the result in`, `ALTER TABLE ${target} SWAP WITH ${fresh}`),
        statement(`build ${key}: drop the previous contents`, `DROP TABLE ${fresh}`),
        statement(`build ${key}: forget the lake files it held`, `DELETE FROM ${loadsTableRef(objects)} WHERE "TABLE_NAME" = ?`, [key]),
      ],
      undo: [statement(`build ${key}: drop the partial result`, `DROP TABLE IF EXISTS ${fresh}`)],
    };
  });
}

export function goldStatements(units: readonly GoldModelUnit[]): SqlStatement[] {
  return units.flatMap((u) => [...u.build, u.insert, ...u.swap]);
}

/** Runs planned models on an open session (the pure part of runGoldInSnowflake). */
export async function runGoldUnits(executor: SqlExecutor, units: readonly GoldModelUnit[]): Promise<SnowflakeGoldTable[]> {
  const results: SnowflakeGoldTable[] = [];
  for (const unit of units) {
    let inserted = 0;
    try {
      for (const s of unit.build) await executor.run(s);
      const rows = await executor.run(unit.insert);
      inserted = Number(rows[0]?.['number of rows inserted'] ?? 0);
      for (const s of unit.swap) await executor.run(s);
    } catch (error) {
      for (const s of unit.undo) await executor.run(s).catch(() => undefined);
      throw error;
    }
    results.push({ table: tableKey(unit.table), rowsInserted: inserted });
  }
  return results;
}

/**
 * Run the rendered gold models in Snowflake. `objects` defaults to ghlake's default names in the
 * connection's database; pass the same ones `ghlake snowflake setup` used.
 */
export async function runGoldInSnowflake(
  connection: SnowflakeConnectionConfig,
  renderedModels: readonly RenderedModel[],
  options: { objects?: SnowflakeObjects; logger?: Logger } = {},
): Promise<SnowflakeGoldTable[]> {
  const objects = options.objects ?? objectsFrom({ database: connection.database });
  const units = planGoldInSnowflake(objects, renderedModels);
  return withSnowflakeSession(connection, (session) => runGoldUnits(session, units), options.logger ? { logger: options.logger } : {});
}
