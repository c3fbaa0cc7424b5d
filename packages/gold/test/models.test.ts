import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DUCKDB_TYPE, GOLD_TABLES, SILVER_TABLES } from '@ghlake/core';
import { GOLD_MODELS, modelSql, quoteIdentifier, renderModel, renderSql } from '../src/models.js';
import { emptyRelation } from '@ghlake/core/duckdb';
import { sql } from './helpers.js';

describe('gold model files', () => {
  it("has one model per gold table, each stating its grain and its key (the declaration's key) at the top", () => {
    expect(GOLD_MODELS.map((m) => m.table.name)).toEqual(GOLD_TABLES.map((t) => t.name));
    for (const model of GOLD_MODELS) {
      const text = readFileSync(model.file, 'utf8');
      const header = text.split('\n').filter((l) => l.startsWith('--'));
      expect(header[0], model.file).toBe(`-- gold.${model.table.name}`);
      expect(
        header.some((l) => l.startsWith('-- grain: ')),
        model.file,
      ).toBe(true);
      expect(header.find((l) => l.startsWith('-- key: '))?.replace(/^-- key:\s+/, ''), model.file).toBe(model.table.key.join(', '));
    }
  });

  it("each model alone yields exactly its table's declared columns, in order, with the declared types (DuckDB)", async () => {
    const sources = Object.fromEntries(SILVER_TABLES.map((t) => [`silver.${t.name}`, emptyRelation(t)]));
    for (const model of GOLD_MODELS) {
      const rendered = renderModel(model.table.name, { dialect: 'duckdb', source: (layer, table) => sources[`${layer}.${table}`]! });
      const schema = await sql(`SELECT column_name, column_type FROM (DESCRIBE ${rendered})`);
      expect(
        schema.map((c) => `${String(c.column_name)} ${String(c.column_type)}`),
        model.table.name,
      ).toEqual(model.table.columns.map((c) => `${c.name} ${DUCKDB_TYPE[c.type]}`));
    }
  });
});

describe('rendering a model for a dialect', () => {
  it('DuckDB: sources are the warehouse views (silver.events), keywords are quoted ("day")', () => {
    const rendered = renderModel('daily_summary', { dialect: 'duckdb' });
    expect(rendered).toContain('FROM silver.events');
    expect(rendered).toContain('CAST(per_hour.hour_bucket AS DATE) AS "day"');
    expect(rendered).not.toContain('{{');
  });

  it('Snowflake: sources are SCHEMA.TABLE (optionally DATABASE.SCHEMA.TABLE), quoted names upper-case', () => {
    const rendered = renderModel('actor_metrics', { dialect: 'snowflake', database: 'GHLAKE' });
    expect(rendered).toContain('FROM GHLAKE.SILVER.EVENTS');
    expect(rendered).toContain('LEFT JOIN GHLAKE.SILVER.ACTORS AS actors');
    expect(renderModel('daily_summary', { dialect: 'snowflake' })).toContain('AS "DAY"');
    expect(quoteIdentifier('day', 'snowflake')).toBe('"DAY"');
    expect(quoteIdentifier('day', 'duckdb')).toBe('"day"');
  });

  it('Snowflake renderings use no DuckDB-only syntax', () => {
    for (const model of GOLD_MODELS) {
      const rendered = renderModel(model.table.name, { dialect: 'snowflake' }).replace(/--.*$/gm, '');
      for (const duckdbOnly of [/read_parquet/i, /::/, /\bFILTER\s*\(/i, /\bbool_or\b/i, /\barg_max\b/i, /\bstruct_pack\b/i, /"[a-z_]+"/]) {
        expect(rendered, `${model.table.name}: ${duckdbOnly}`).not.toMatch(duckdbOnly);
      }
    }
  });

  it('Snowflake renderings are standard enough to run on DuckDB over SILVER.* tables too (same columns out)', async () => {
    const setup = [
      'CREATE SCHEMA SILVER',
      ...SILVER_TABLES.map((t) => `CREATE TABLE SILVER.${t.name.toUpperCase()} AS SELECT * FROM ${emptyRelation(t)}`),
    ].join(';\n');
    for (const model of GOLD_MODELS) {
      const rendered = renderModel(model.table.name, { dialect: 'snowflake' });
      const schema = await sql(`${setup};\nSELECT lower(column_name) AS c FROM (DESCRIBE ${rendered})`);
      expect(schema.map((r) => r.c)).toEqual(model.table.columns.map((c) => c.name));
    }
  });

  it('rejects a placeholder it does not know, naming it', () => {
    expect(() => renderSql("SELECT * FROM {{ ref('x') }}", { dialect: 'duckdb' })).toThrow("unknown model placeholder {{ ref('x') }}");
    expect(() => renderSql("SELECT {{ source('silver') }}", { dialect: 'duckdb' })).toThrow('unknown model placeholder');
    expect(() => renderModel('nope', { dialect: 'duckdb' })).toThrow("no gold model 'nope'");
    expect(modelSql('repo_metrics')).toContain("{{ source('silver', 'repositories') }}");
  });
});
