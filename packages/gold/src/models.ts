/**
 * The gold models: one SQL file per gold table in `packages/gold/models/<table>.sql`, portable
 * between DuckDB and Snowflake. The only dialect differences go through two placeholders:
 *
 *   {{ source('silver', 'events') }}  the input table. DuckDB: `silver.events` (the warehouse
 *                                      view) unless the caller maps it to a relation such as
 *                                      `read_parquet(...)`; Snowflake: `SILVER.EVENTS`.
 *   {{ quote('day') }}                 an identifier that is a keyword somewhere. DuckDB: `"day"`;
 *                                      Snowflake: `"DAY"` (the name an unquoted `day` column has there).
 *
 * Anything else between `{{ }}` is an error, so a model cannot silently keep a placeholder.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GOLD_TABLES, type TableDecl } from '@ghlake/core';

export type Dialect = 'duckdb' | 'snowflake';
export const DIALECTS: readonly Dialect[] = ['duckdb', 'snowflake'];

export interface GoldModel {
  /** The gold table this model produces (its declaration in core). */
  table: TableDecl;
  /** Absolute path of the model's SQL file. */
  file: string;
}

const modelFile = (name: string): string => fileURLToPath(new URL(`../models/${name}.sql`, import.meta.url));

/** One per gold table, in GOLD_TABLES order (gold models only read silver, so any order works). */
export const GOLD_MODELS: readonly GoldModel[] = GOLD_TABLES.map((table) => ({
  table,
  file: modelFile(table.name),
}));

export function goldModel(name: string): GoldModel {
  const model = GOLD_MODELS.find((m) => m.table.name === name);
  if (!model) throw new Error(`no gold model '${name}': the models are ${GOLD_TABLES.map((t) => t.name).join(', ')}`);
  return model;
}

/** The model's SQL text with placeholders unrendered. */
export function modelSql(name: string): string {
  return readFileSync(goldModel(name).file, 'utf8');
}

export interface RenderOptions {
  dialect: Dialect;
  /**
   * How `{{ source(layer, table) }}` is written. Default: DuckDB `layer.table` (the
   * warehouse's views), Snowflake `LAYER.TABLE` (prefix a database with `database`).
   */
  source?: (layer: string, table: string) => string;
  /** Snowflake only: database to qualify sources with (`GHLAKE.SILVER.EVENTS`). */
  database?: string;
}

const PLACEHOLDER = /\{\{\s*(\w+)\s*\(\s*((?:'[^']*'\s*,?\s*)*)\)\s*\}\}/g;

/** Quote an identifier for a dialect. */
export function quoteIdentifier(name: string, dialect: Dialect): string {
  const text = dialect === 'snowflake' ? name.toUpperCase() : name;
  return `"${text.replaceAll('"', '""')}"`;
}

function defaultSource(dialect: Dialect, database: string | undefined) {
  return (layer: string, table: string): string =>
    dialect === 'snowflake' ? [database, layer.toUpperCase(), table.toUpperCase()].filter(Boolean).join('.') : `${layer}.${table}`;
}

/** Render model SQL (text with placeholders) for a dialect. */
export function renderSql(sql: string, options: RenderOptions): string {
  const source = options.source ?? defaultSource(options.dialect, options.database);
  const rendered = sql.replace(PLACEHOLDER, (whole, fn: string, rawArgs: string) => {
    const args = [...rawArgs.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
    if (fn === 'source' && args.length === 2) return source(args[0]!, args[1]!);
    if (fn === 'quote' && args.length === 1) return quoteIdentifier(args[0]!, options.dialect);
    throw new Error(`unknown model placeholder ${whole}: use {{ source('layer', 'table') }} or {{ quote('name') }}`);
  });
  const left = /\{\{[^}]*\}\}?/.exec(rendered);
  if (left) throw new Error(`unknown model placeholder ${left[0]}: use {{ source('layer', 'table') }} or {{ quote('name') }}`);
  return rendered;
}

/** The gold model `name` (e.g. `repo_metrics`) rendered for a dialect: a single SELECT. */
export function renderModel(name: string, options: RenderOptions): string {
  return renderSql(modelSql(name), options);
}
