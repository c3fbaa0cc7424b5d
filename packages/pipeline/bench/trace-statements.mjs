/**
 * Preload that logs every DuckDB statement of the process, one JSON line each, to the file named by
 * GHLAKE_TRACE_STATEMENTS: its SQL (first 400 characters), wall ms, and the process's CPU ms while it
 * ran (DuckDB's threads included); instance opens and closes (a close checkpoints) too.
 *
 *   GHLAKE_TRACE_STATEMENTS=/tmp/trace.jsonl node --import ./bench/trace-statements.mjs --import tsx bench/post-transform.bench.ts one --lake ...
 *   node --import tsx bench/post-transform.bench.ts trace-summary /tmp/trace.jsonl
 *
 * runAndReadAll calls run, so wrapping run alone counts each statement once.
 */
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

const out = process.env.GHLAKE_TRACE_STATEMENTS;
if (!out) throw new Error('set GHLAKE_TRACE_STATEMENTS to the file to write');
let seq = 0;
const log = (kind, sql, t0, c0) => {
  const cpu = process.cpuUsage(c0);
  appendFileSync(
    out,
    JSON.stringify({ i: seq++, kind, t0, ms: performance.now() - t0, cpu: (cpu.user + cpu.system) / 1000, sql: String(sql).slice(0, 400) }) + '\n',
  );
};
const run = DuckDBConnection.prototype.run;
DuckDBConnection.prototype.run = async function (sql, ...rest) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  try {
    return await run.call(this, sql, ...rest);
  } finally {
    log('statement', sql, t0, c0);
  }
};
const create = DuckDBInstance.create;
DuckDBInstance.create = async function (file, config) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const instance = await create.call(this, file, config);
  log('open', `OPEN ${file}`, t0, c0);
  return instance;
};
const closeSync = DuckDBInstance.prototype.closeSync;
DuckDBInstance.prototype.closeSync = function () {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const result = closeSync.call(this);
  log('close', 'CLOSE', t0, c0);
  return result;
};
