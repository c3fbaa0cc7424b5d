/**
 * Parquet through parquet-wasm (arrow-rs's Parquet writer compiled to WebAssembly) fed with
 * Arrow record batches built by apache-arrow. Streams: each row group goes in as a record
 * batch through `transformParquetStream`, whose output bytes are piped to the file.
 */
import { createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { tableToIPC, Table as ArrowTable } from 'apache-arrow';
import * as pw from 'parquet-wasm';
import type { TableDecl } from '../../src/tables/types.js';
import type { ParquetSink, SinkFactory, TableWriterOptions } from '../../src/parquet/writer.js';
import { arrowBatch, arrowSchema } from './arrow-columns.js';

export interface ParquetWasmOptions {
  /** Dictionary encoding off for JSON columns and *_hash columns (high cardinality). Default true. */
  plainHighCardinality?: boolean;
  /** Statistics off for JSON columns. Default true. */
  noJsonStatistics?: boolean;
}

function writerProperties(table: TableDecl, options: TableWriterOptions, tuning: ParquetWasmOptions): pw.WriterProperties {
  let b = new pw.WriterPropertiesBuilder()
    .setCompression(options.codec === 'UNCOMPRESSED' ? pw.Compression.UNCOMPRESSED : pw.Compression.SNAPPY)
    .setMaxRowGroupSize(options.rowGroupRows ?? 65_536)
    .setCreatedBy('ghlake');
  if (options.metadata) b = b.setKeyValueMetadata(new Map(Object.entries(options.metadata)));
  for (const c of table.columns) {
    const highCardinality = c.type === 'JSON' || c.type === 'BLOB' || c.name.endsWith('_hash');
    if ((tuning.plainHighCardinality ?? true) && highCardinality) b = b.setColumnDictionaryEnabled(c.name, false);
    if ((tuning.noJsonStatistics ?? true) && (c.type === 'JSON' || c.type === 'BLOB')) b = b.setColumnStatisticsEnabled(c.name, pw.EnabledStatistics.None);
  }
  return b.build();
}

export function parquetWasmSinkFactory(tuning: ParquetWasmOptions = {}): SinkFactory {
  return async (table: TableDecl, tmpPath: string, options: TableWriterOptions): Promise<ParquetSink> => {
    const schema = arrowSchema(table);
    let controller!: ReadableStreamDefaultController<pw.RecordBatch>;
    let pulled: (() => void) | undefined;
    const input = new ReadableStream<pw.RecordBatch>(
      {
        start(c) {
          controller = c;
        },
        pull() {
          pulled?.();
          pulled = undefined;
        },
      },
      { highWaterMark: 1 },
    );
    // transformParquetStream reads the first batch (for the schema) before it resolves: don't await it here.
    const done = pw
      .transformParquetStream(input, writerProperties(table, options, tuning))
      .then((output) => output.pipeTo(Writable.toWeb(createWriteStream(tmpPath)) as WritableStream<Uint8Array>));
    done.catch(() => undefined); // surfaced by finish()
    return {
      async writeRowGroup(columns, rowCount) {
        const batch = arrowBatch(table, schema, columns as Record<string, unknown[]>, rowCount);
        const wasmTable = pw.Table.fromIPCStream(tableToIPC(new ArrowTable(schema, [batch]), 'stream'));
        for (const rb of wasmTable.recordBatches()) {
          controller.enqueue(rb);
          // Backpressure: wait until the writer has taken the batch, so one row group is in flight.
          if ((controller.desiredSize ?? 1) <= 0) await new Promise<void>((resolve) => (pulled = resolve));
        }
        wasmTable.free();
      },
      async finish() {
        controller.close();
        await done;
      },
    };
  };
}
