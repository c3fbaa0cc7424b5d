/**
 * `ghlake query "<SQL>"`: the thin CLI over `openQuery`. Reads argv/env, prints the result.
 * A mistake in the SQL is one GHLAKE_SQL line with DuckDB's message (exit 1), no stack trace.
 */
import { ERROR_CODES, GhlakeError, describeOptions, parseCommandLine, resolveOptions, type Command, type CommandIO, type ExitCode } from '@ghlake/core';
import path from 'node:path';
import { csvHeader, csvRows, formatTable, jsonKeys, jsonRow } from './format.js';
import { assertLakeExists } from './lake-exists.js';
import { QUERY_OPTIONS } from './options.js';
import { openQuery, type QueryValue } from './query.js';

/**
 * Output with backpressure. A reader that goes away (`ghlake query ... | head`) closes the pipe:
 * that ends the output quietly instead of failing with EPIPE.
 */
function outputTo(stream: NodeJS.WritableStream) {
  let closed = false;
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') closed = true;
    else throw error;
  };
  stream.on('error', onError);
  return {
    get closed() {
      return closed;
    },
    write(text: string): Promise<void> {
      if (text === '' || closed) return Promise.resolve();
      return new Promise((resolve) => {
        const ok = stream.write(text, () => undefined);
        if (ok) resolve();
        else {
          const done = () => {
            stream.off('drain', done);
            stream.off('close', done);
            resolve();
          };
          stream.once('drain', done);
          stream.once('close', done);
        }
      });
    },
    release() {
      stream.off('error', onError);
    },
  };
}

export const queryCommand: Command = {
  name: 'query',
  summary: 'run SQL against the local warehouse (schemas bronze, silver, gold)',
  help: () =>
    [
      'usage: ghlake query "<SQL>" [options]',
      '',
      'Runs one SQL statement (DuckDB dialect) against <lake>/warehouse.duckdb, whose schemas',
      "bronze, silver and gold are views over the lake's Parquet. The warehouse is opened",
      'read-only and is (re)built first when missing or out of date.',
      '',
      'examples:',
      '  ghlake query "select repo_name, total_events from gold.repo_metrics order by 2 desc limit 5"',
      '  ghlake query "select event_type, count(*) from silver.events where source_hour = 15 group by 1" --format csv',
      '  ghlake query "show all tables"',
      '',
      'options:',
      describeOptions(QUERY_OPTIONS),
    ].join('\n'),
  async run(io: CommandIO): Promise<ExitCode> {
    const line = parseCommandLine(io.argv, QUERY_OPTIONS, { allowPositionals: true });
    const options = resolveOptions(QUERY_OPTIONS, { flags: line.flags, env: io.env });
    if (line.positionals.length === 0 || line.positionals.join(' ').trim() === '') {
      throw new GhlakeError(ERROR_CODES.USAGE, 'no SQL given', {
        hint: 'give the SQL as one quoted argument: ghlake query "select * from gold.daily_summary"',
      });
    }
    if (line.positionals.length > 1) {
      throw new GhlakeError(ERROR_CODES.USAGE, `the SQL must be one argument, got ${line.positionals.length}`, {
        hint: 'quote the whole statement: ghlake query "select ..."',
      });
    }
    const lake = path.resolve(io.cwd, options.lake);
    await assertLakeExists(lake, options.lake);
    const stream = await openQuery({ lake, memoryLimit: options.memoryLimit, threads: options.threads, signal: io.signal }, line.positionals[0]!);
    const out = outputTo(io.stdout);
    try {
      if (stream.refreshedWarehouse) io.stderr.write(`(warehouse ${path.join(lake, 'warehouse.duckdb')} rebuilt)\n`);
      if (options.format === 'table') {
        const shown: QueryValue[][] = [];
        let total = 0;
        for await (const chunk of stream.chunks()) {
          for (const row of chunk) if (shown.length < options.maxRows) shown.push(row);
          total += chunk.length;
        }
        await out.write(formatTable(stream.columns, shown, total));
      } else if (options.format === 'csv') {
        await out.write(csvHeader(stream.columns));
        for await (const chunk of stream.chunks()) {
          if (out.closed) break;
          await out.write(csvRows(chunk));
        }
      } else {
        const keys = jsonKeys(stream.columns);
        let first = true;
        await out.write('[');
        for await (const chunk of stream.chunks()) {
          if (out.closed) break;
          const body = chunk.map((row) => jsonRow(keys, row)).join(',\n');
          if (body === '') continue;
          await out.write(`${first ? '\n' : ',\n'}${body}`);
          first = false;
        }
        await out.write(first ? ']\n' : '\n]\n');
      }
      return 0;
    } finally {
      out.release();
      stream.close();
    }
  },
};
