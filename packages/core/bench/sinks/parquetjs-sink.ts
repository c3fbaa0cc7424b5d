/**
 * Parquet through @dsnp/parquetjs 1.8.8 (the maintained fork of parquetjs; 1.8.9+ needs Node 22).
 * Row-oriented: every row becomes an object that parquetjs shreds into columns. It streams: a
 * row group is encoded and written when `rowGroupSize` rows are buffered.
 */
import { valueAt } from '../../src/parquet/columns.js';
import parquet from '@dsnp/parquetjs';
import type { ColumnType, TableDecl } from '../../src/tables/types.js';
import type { ParquetSink, SinkFactory, TableWriterOptions } from '../../src/parquet/writer.js';

type FieldType = 'INT64' | 'INT32' | 'DOUBLE' | 'BOOLEAN' | 'UTF8' | 'TIMESTAMP_MICROS' | 'DATE' | 'BYTE_ARRAY';
const FIELD_TYPE: Record<ColumnType, FieldType> = {
  BIGINT: 'INT64',
  INTEGER: 'INT32',
  DOUBLE: 'DOUBLE',
  BOOLEAN: 'BOOLEAN',
  VARCHAR: 'UTF8',
  JSON: 'UTF8',
  TIMESTAMP: 'TIMESTAMP_MICROS',
  DATE: 'DATE',
  BLOB: 'BYTE_ARRAY',
};

const DAY_MS = 86_400_000;
function convert(type: ColumnType, v: unknown): unknown {
  switch (type) {
    case 'BIGINT':
      return typeof v === 'bigint' ? v : BigInt(v as number);
    case 'TIMESTAMP':
      return BigInt(v as number) * 1000n; // parquetjs takes micros for TIMESTAMP_MICROS
    case 'DATE':
      return new Date(Math.round(Date.parse(`${v as string}T00:00:00Z`) / DAY_MS) * DAY_MS);
    case 'BLOB':
      return Buffer.from(v as Uint8Array);
    default:
      return v;
  }
}

export const parquetjsSinkFactory: SinkFactory = async (table: TableDecl, tmpPath: string, options: TableWriterOptions): Promise<ParquetSink> => {
  const compression = options.codec ?? 'SNAPPY';
  const schema = new parquet.ParquetSchema(
    Object.fromEntries(table.columns.map((c) => [c.name, { type: FIELD_TYPE[c.type], optional: c.nullable, compression }])),
  );
  const writer = await parquet.ParquetWriter.openFile(schema, tmpPath, { rowGroupSize: options.rowGroupRows ?? 65_536 });
  for (const [k, v] of Object.entries(options.metadata ?? {})) writer.setMetadata(k, v);
  const cols = table.columns;
  return {
    async writeRowGroup(columns, rowCount) {
      for (let r = 0; r < rowCount; r++) {
        const row: Record<string, unknown> = {};
        for (const c of cols) {
          const v = valueAt(columns[c.name]!, r);
          if (v !== null && v !== undefined) row[c.name] = convert(c.type, v);
        }
        await writer.appendRow(row);
      }
    },
    async finish() {
      await writer.close();
    },
  };
};
