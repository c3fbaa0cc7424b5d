/**
 * Parquet backend on hyparquet-writer (pure JS, column-oriented, runs in worker threads).
 */
import { ParquetWriter, fileWriter } from 'hyparquet-writer';
import type { ColumnDecl, ColumnType, TableDecl } from '../tables/types.js';
import type { ParquetSink, TableWriterOptions } from './writer.js';

interface SchemaElement {
  name: string;
  type?: string;
  converted_type?: string;
  logical_type?: Record<string, unknown>;
  repetition_type?: 'REQUIRED' | 'OPTIONAL';
  num_children?: number;
}

function schemaElement(c: ColumnDecl): SchemaElement {
  const repetition_type = c.nullable ? 'OPTIONAL' : 'REQUIRED';
  const base = { name: c.name, repetition_type } as const;
  switch (c.type) {
    case 'BIGINT':
      return { ...base, type: 'INT64' };
    case 'INTEGER':
      return { ...base, type: 'INT32' };
    case 'DOUBLE':
      return { ...base, type: 'DOUBLE' };
    case 'BOOLEAN':
      return { ...base, type: 'BOOLEAN' };
    case 'VARCHAR':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case 'JSON':
      // Stored as UTF8 text: hyparquet-writer would JSON.stringify values under converted_type JSON
      // (and drops a bare JSON logical type), while our JSON columns must stay the exact text of the line.
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case 'TIMESTAMP':
      return { ...base, type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' } };
    case 'DATE':
      return { ...base, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } };
    case 'BLOB':
      return { ...base, type: 'BYTE_ARRAY' };
  }
}

export function parquetSchema(table: TableDecl): SchemaElement[] {
  return [{ name: 'root', num_children: table.columns.length }, ...table.columns.map(schemaElement)];
}

const DAY_MS = 86_400_000;

/** Convert our JS value conventions to what hyparquet-writer's PLAIN encoders take. */
function convert(type: ColumnType, values: unknown[]): unknown[] {
  switch (type) {
    case 'BIGINT':
      return values.map((v) => (v === null || v === undefined ? null : typeof v === 'bigint' ? v : BigInt(v as number)));
    case 'TIMESTAMP':
      return values.map((v) => (v === null || v === undefined ? null : BigInt(v as number) * 1000n));
    case 'DATE':
      return values.map((v) => (v === null || v === undefined ? null : Math.round(Date.parse(`${v as string}T00:00:00Z`) / DAY_MS)));
    default:
      return values.map((v) => (v === undefined ? null : v));
  }
}

/**
 * Knobs measured by bench/parquet-writers.ts (docs/parquet-writers.md). All off = the library's
 * defaults: dictionary tried on every column, statistics on every column.
 */
export interface HyparquetTuning {
  /** PLAIN encoding (no dictionary attempt) for JSON, BLOB and `*_hash` columns: values are nearly all distinct. */
  plainHighCardinality?: boolean;
  /** No min/max statistics for JSON and BLOB columns (nobody filters on payload text; it costs a full compare pass). */
  noJsonStatistics?: boolean;
}

function isHighCardinality(c: ColumnDecl): boolean {
  return c.type === 'JSON' || c.type === 'BLOB' || c.name.endsWith('_hash');
}

export function hyparquetSinkFactory(tuning: HyparquetTuning = {}) {
  return (table: TableDecl, tmpPath: string, options: TableWriterOptions): ParquetSink => {
    const writer = new ParquetWriter({
      writer: fileWriter(tmpPath),
      schema: parquetSchema(table) as ConstructorParameters<typeof ParquetWriter>[0]['schema'],
      codec: options.codec ?? 'SNAPPY',
      kvMetadata: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
      createdBy: 'ghlake',
    });
    const perColumn = table.columns.map((c) => ({
      ...(tuning.plainHighCardinality && isHighCardinality(c) ? { encoding: 'PLAIN' as const } : {}),
      ...(tuning.noJsonStatistics && (c.type === 'JSON' || c.type === 'BLOB') ? { statistics: false } : {}),
    }));
    return {
      writeRowGroup(columns, rowCount) {
        const columnData = table.columns.map((c, i) => ({ name: c.name, data: convert(c.type, columns[c.name] ?? []), ...perColumn[i] }));
        return writer.write({ columnData, rowGroupSize: Math.max(rowCount, 1) });
      },
      finish() {
        writer.finish();
      },
    };
  };
}

/** hyparquet-writer with its default settings. */
export const openHyparquetSink = hyparquetSinkFactory();
