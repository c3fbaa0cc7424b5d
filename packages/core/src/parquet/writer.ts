/**
 * Parquet table writers, driven by the column declarations in ../tables. Every writer
 * streams row groups to a temporary file and renames it into place on `close()`, so a
 * partition file either exists complete or not at all.
 *
 * The implementation behind `openTableWriter` is chosen by benchmark (see bench/ and
 * docs/parquet-writers.md): flat-sink.ts, ghlake's own writer for flat schemas; hyparquet-sink.ts
 * (hyparquet-writer) stays as the benchmark's reference and a fallback (pass `openHyparquetSink`).
 * Callers only see this interface.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { TableDecl } from '../tables/types.js';
import { commitFile, fsyncFile, tempPathFor } from '../fs-atomic.js';
import { openFlatSink } from './flat-sink.js';
import { isColumnVector, type ColumnVector } from './columns.js';

/**
 * Column-wise rows. Value conventions per column type (null = NULL):
 * BIGINT number | bigint; INTEGER, DOUBLE number; TIMESTAMP epoch milliseconds (number);
 * DATE `YYYY-MM-DD`; VARCHAR and JSON string, or a Uint8Array holding the text's UTF-8 bytes
 * (e.g. a slice of the decompressed line: written as is, never decoded); BOOLEAN boolean;
 * BLOB Uint8Array. Or column vectors (columns.ts): a batch holding any is written as one row group.
 */
export interface ColumnarBatch {
  rowCount: number;
  columns: Record<string, ArrayLike<unknown> | ColumnVector>;
}

/** A column as the sinks take it: an array of values or a column vector. */
export type SinkColumn = unknown[] | ColumnVector;

export interface TableWriterOptions {
  /** Rows per row group (bounds memory: one row group is buffered at a time). Default 65,536. */
  rowGroupRows?: number;
  /** Compression codec. Default SNAPPY. */
  codec?: 'SNAPPY' | 'UNCOMPRESSED';
  /** Extra key/value metadata stored in the file footer (e.g. line accounting). */
  metadata?: Record<string, string>;
  /**
   * `target` is already a temporary name that the caller renames into place with other files
   * (bronze's StagedFiles): write it directly and fsync it on close, without a second temporary
   * name, rename and directory fsync of its own.
   */
  staged?: boolean;
}

export interface WrittenFile {
  path: string;
  rows: number;
  bytes: number;
}

export interface TableFileWriter {
  readonly table: TableDecl;
  readonly path: string;
  /**
   * Buffer rows; a full row group is encoded and flushed to the temporary file. The writer may
   * keep the batch's arrays as its buffer (no copy): the caller hands them over and must not
   * change them afterwards (the row builders start new arrays at every `take`).
   */
  append(batch: ColumnarBatch): Promise<void>;
  /** Flush, write the footer, fsync and rename into place. */
  close(): Promise<WrittenFile>;
  /** Drop the temporary file. */
  abort(): Promise<void>;
}

/** What a writer backend must do: write row groups of column arrays to a path, then finish. */
export interface ParquetSink {
  writeRowGroup(columns: Record<string, SinkColumn>, rowCount: number): void | Promise<void>;
  finish(): void | Promise<void>;
  /** Give up: release what the sink holds open (the caller removes the file). Optional. */
  abort?(): void;
}

export type SinkFactory = (table: TableDecl, tmpPath: string, options: TableWriterOptions) => ParquetSink | Promise<ParquetSink>;

export async function openTableWriter(
  table: TableDecl,
  target: string,
  options: TableWriterOptions = {},
  sinkFactory: SinkFactory = openFlatSink,
): Promise<TableFileWriter> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = options.staged ? target : tempPathFor(target);
  const rowGroupRows = options.rowGroupRows ?? 65_536;
  const sink = await sinkFactory(table, tmp, options);
  const names = table.columns.map((c) => c.name);
  let buffer: Record<string, unknown[]> = Object.fromEntries(names.map((n) => [n, []]));
  let buffered = 0;
  let rows = 0;
  let closed = false;

  const flush = async () => {
    if (buffered === 0) return;
    const full = buffer;
    const count = buffered;
    buffer = Object.fromEntries(names.map((n) => [n, []]));
    buffered = 0;
    await sink.writeRowGroup(full, count);
  };

  return {
    table,
    path: target,
    async append(batch) {
      for (const name of names) {
        if (!(name in batch.columns)) throw new Error(`${table.layer}.${table.name}: batch lacks column ${name}`);
      }
      // Column vectors: the batch is one row group, written now (the builder refills its vectors after).
      if (names.some((n) => isColumnVector(batch.columns[n]))) {
        await flush();
        if (batch.rowCount === 0) return;
        for (const n of names) {
          if (batch.columns[n]!.length !== batch.rowCount)
            throw new Error(`${table.layer}.${table.name}: column ${n} holds ${batch.columns[n]!.length} rows, not ${batch.rowCount}`);
        }
        await sink.writeRowGroup(batch.columns as Record<string, SinkColumn>, batch.rowCount);
        rows += batch.rowCount;
        return;
      }
      // An empty buffer adopts a batch that fits whole: its arrays become the row group's, uncopied.
      const adoptable = (n: string) => Array.isArray(batch.columns[n]) && batch.columns[n]!.length === batch.rowCount;
      if (buffered === 0 && batch.rowCount > 0 && batch.rowCount <= rowGroupRows && names.every(adoptable)) {
        buffer = Object.fromEntries(names.map((n) => [n, batch.columns[n] as unknown[]]));
        buffered = batch.rowCount;
        rows += batch.rowCount;
        if (buffered >= rowGroupRows) await flush();
        return;
      }
      let offset = 0;
      while (offset < batch.rowCount) {
        const take = Math.min(rowGroupRows - buffered, batch.rowCount - offset);
        for (const name of names) {
          const source = batch.columns[name] as ArrayLike<unknown>;
          const dest = buffer[name]!;
          for (let i = offset; i < offset + take; i++) dest.push(source[i] ?? null);
        }
        buffered += take;
        offset += take;
        rows += take;
        if (buffered >= rowGroupRows) await flush();
      }
    },
    async close() {
      if (closed) throw new Error('writer already closed');
      closed = true;
      try {
        // An empty table still gets a valid file with its schema (an empty hour is fine).
        if (buffered > 0 || rows === 0) {
          const count = buffered;
          const full = buffer;
          buffered = 0;
          await sink.writeRowGroup(full, count);
        }
        await sink.finish();
        const { size } = await fs.stat(tmp);
        if (options.staged) await fsyncFile(tmp);
        else await commitFile(tmp, target);
        return { path: target, rows, bytes: size };
      } catch (error) {
        await fs.rm(tmp, { force: true });
        throw error;
      }
    },
    async abort() {
      closed = true;
      sink.abort?.();
      await fs.rm(tmp, { force: true });
    },
  };
}

/** Write one whole table file from column arrays. */
export async function writeTableFile(table: TableDecl, target: string, batch: ColumnarBatch, options: TableWriterOptions = {}): Promise<WrittenFile> {
  const writer = await openTableWriter(table, target, options);
  try {
    await writer.append(batch);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return writer.close();
}
