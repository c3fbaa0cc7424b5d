/**
 * SQL text built from the column declarations in @ghlake/core — the one source of truth for
 * every table's columns, order and types. Every file gold writes and every view it creates
 * selects through `typedSelectList`, so a file's schema is the declaration, whatever the input.
 */
import { DUCKDB_TYPE, type ColumnDecl, type TableDecl } from '../tables/types.js';

/** A SQL string literal: `'it''s'`. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A quoted identifier: `"day"` (DuckDB keywords such as day, at, groups need it). */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function castColumn(c: ColumnDecl, from: string | null): string {
  const source = from === null ? 'NULL' : from;
  return `CAST(${source} AS ${DUCKDB_TYPE[c.type]}) AS ${sqlIdent(c.name)}`;
}

/**
 * `CAST("a" AS BIGINT) AS "a", ...` in declaration order. `qualifier` prefixes each source
 * column (`t."a"`); `overrides` replaces a column's source expression (e.g. a constant NULL).
 */
export function typedSelectList(table: Pick<TableDecl, 'columns'>, options: { qualifier?: string; overrides?: Record<string, string> } = {}): string {
  return table.columns
    .map((c) => {
      const override = options.overrides?.[c.name];
      const source = override ?? `${options.qualifier ? `${options.qualifier}.` : ''}${sqlIdent(c.name)}`;
      return castColumn(c, source);
    })
    .join(', ');
}

/** A relation with the table's columns and types and no rows (a table with no files yet). */
export function emptyRelation(table: Pick<TableDecl, 'columns'>): string {
  return `(SELECT ${table.columns.map((c) => castColumn(c, null)).join(', ')} WHERE false)`;
}

/** `read_parquet([...])` of a list of files. */
export function readParquet(files: string | readonly string[], options: { hive?: boolean; filename?: boolean; fileRowNumber?: boolean } = {}): string {
  const list = typeof files === 'string' ? sqlString(files) : `[${files.map(sqlString).join(', ')}]`;
  const args = [list];
  if (options.hive) args.push(`hive_partitioning = true`, `hive_types = {'date': DATE, 'hour': INTEGER}`);
  else args.push('hive_partitioning = false');
  if (options.filename) args.push('filename = true');
  if (options.fileRowNumber) args.push('file_row_number = true');
  return `read_parquet(${args.join(', ')})`;
}

/** Key columns joined for SQL: `"event_id", "event_type", "created_at"`. */
export function keyList(table: Pick<TableDecl, 'key'>, qualifier?: string): string {
  return table.key.map((k) => `${qualifier ? `${qualifier}.` : ''}${sqlIdent(k)}`).join(', ');
}

/** `a."k1" = b."k1" AND ...` over the table's key. */
export function keyEquals(table: Pick<TableDecl, 'key'>, a: string, b: string): string {
  return table.key.map((k) => `${a}.${sqlIdent(k)} = ${b}.${sqlIdent(k)}`).join(' AND ');
}

/** Column definitions for CREATE TABLE from a declaration (`"a" BIGINT NOT NULL, ...`), plus extra ones. */
export function columnDefinitions(table: Pick<TableDecl, 'columns'>, extra: readonly string[] = []): string {
  return [...table.columns.map((c) => `${sqlIdent(c.name)} ${DUCKDB_TYPE[c.type]}${c.nullable ? '' : ' NOT NULL'}`), ...extra].join(', ');
}

/** The declared column names, quoted and joined (`"a", "b"`), optionally qualified. */
export function columnList(table: Pick<TableDecl, 'columns'>, qualifier?: string): string {
  return table.columns.map((c) => `${qualifier ? `${qualifier}.` : ''}${sqlIdent(c.name)}`).join(', ');
}

/** Hours since the epoch of a hive partition (`date`, `hour` columns): how state tables name a source hour. */
export const HIVE_SOURCE_HOUR = `CAST((CAST("date" AS DATE) - DATE '1970-01-01') * 24 + "hour" AS INTEGER)`;
