/**
 * `ghlake query "<SQL>"`: the thin CLI over `openQuery`. Reads argv/env, prints the result.
 * A mistake in the SQL is one GHLAKE_SQL line with DuckDB's message (exit 1), no stack trace.
 */
import {
  ERROR_CODES,
  GhlakeError,
  defineOptions,
  describeOptions,
  parseCommandLine,
  parseString,
  resolveOptions,
  type Command,
  type CommandIO,
  type ExitCode,
  warehousePath,
} from '@ghlake/core';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { csvHeader, csvRows, formatTable, jsonKeys, jsonRow } from './format.js';
import { assertLakeExists } from './lake-exists.js';
import { QUERY_OPTIONS } from './options.js';
import { QUERY_ALLOWS, openQuery, type QueryValue } from './query.js';

export const QUERY_COMMAND_OPTIONS = defineOptions({
  ...QUERY_OPTIONS,
  file: { flag: 'file', short: 'f', description: 'read the SQL from this file instead of the argument (- reads standard input)', parse: parseString },
});

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** The SQL from the one argument, `-f FILE`, or standard input (`-` or `-f -`). */
async function sqlText(io: CommandIO, positionals: string[], file: string | undefined): Promise<string> {
  const usage = (message: string, hint: string) => new GhlakeError(ERROR_CODES.USAGE, message, { hint });
  if (file !== undefined && positionals.length > 0) {
    throw usage('give the SQL either as an argument or with --file, not both', 'ghlake query "select ..." or ghlake query -f query.sql');
  }
  if (positionals.length > 1) {
    throw usage(`the SQL must be one argument, got ${positionals.length}`, 'quote the whole statement: ghlake query "select ..."');
  }
  const source = file ?? (positionals[0] === '-' ? '-' : undefined);
  let sql: string;
  if (source === '-') {
    if (!io.stdin) throw usage('no standard input to read the SQL from', 'give the SQL as an argument or with -f FILE');
    sql = await readAll(io.stdin);
  } else if (source !== undefined) {
    try {
      sql = await fs.readFile(path.resolve(io.cwd, source), 'utf8');
    } catch (error) {
      throw usage(
        `cannot read the SQL file ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        'give -f a readable file, or - for standard input',
      );
    }
  } else sql = positionals[0] ?? '';
  if (sql.trim() === '') {
    throw usage(
      source === undefined ? 'no SQL given' : `no SQL in ${source === '-' ? 'standard input' : source}`,
      'give the SQL as one quoted argument: ghlake query "select * from gold.daily_summary"',
    );
  }
  return sql;
}

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
      '       ghlake query -f FILE [options]      ghlake query - [options] < FILE',
      '',
      'Runs one SQL statement (DuckDB dialect) against <lake>/warehouse.duckdb, whose schemas',
      "bronze, silver and gold are views over the lake's Parquet. The warehouse is (re)built first",
      'when missing or out of date.',
      '',
      `A query changes nothing: it may run ${QUERY_ALLOWS}.`,
      'DuckDB decides the statement type; anything else (COPY, ATTACH, INSTALL, LOAD, CREATE, SET,',
      'CALL, EXPORT, a second statement) is refused with exit 2 before it runs. The warehouse is',
      'opened read-only, DuckDB may open files inside the lake only, and its settings are locked.',
      '',
      'options:',
      describeOptions(QUERY_COMMAND_OPTIONS),
    ].join('\n'),
  async run(io: CommandIO): Promise<ExitCode> {
    const line = parseCommandLine(io.argv, QUERY_COMMAND_OPTIONS, { allowPositionals: true });
    const options = resolveOptions(QUERY_COMMAND_OPTIONS, { flags: line.flags, env: io.env });
    const sql = await sqlText(io, line.positionals, options.file);
    const lake = path.resolve(io.cwd, options.lake);
    await assertLakeExists(lake, options.lake);
    const stream = await openQuery({ lake, memoryLimit: options.memoryLimit, threads: options.threads, signal: io.signal }, sql);
    const out = outputTo(io.stdout);
    try {
      if (stream.refreshedWarehouse) io.stderr.write(`(warehouse ${warehousePath(lake)} rebuilt)\n`);
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
