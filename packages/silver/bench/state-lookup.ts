/**
 * What finding a new hour's touched ids in an entity state table costs as the table grows: the silver commit's
 * `e_old_state` read (entity-merge.ts: the state rows of the ids the batch observed, a SEMI JOIN) on a file-backed
 * DuckDB database like the lake's state database, with 1M / 10M / 50M state rows (an actor state row's shape) and
 * 25,000 touched ids spread over the id range (a trimmed 2026 hour observes ~25k actors). Gold's per-id state steps
 * (`g_old`, `g_pn`) read their tables the same way.
 *
 * `--method index`: the alternative measured for bounding it — the state table with a PRIMARY KEY (an ART index) and
 * the touched ids looked up in IN-lists of 2,048 (DuckDB answers an IN-list of up to `index_scan_max_count` = 2,048
 * constants through the index; a longer one, or a join, scans).
 *
 *   npx tsx packages/silver/bench/state-lookup.ts [--rows 1000000,10000000,50000000] [--touched 25000] [--method scan|index]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000,10000000,50000000' },
    touched: { type: 'string', default: '25000' },
    runs: { type: 'string', default: '3' },
    method: { type: 'string', default: 'scan' },
  },
});
const byIndex = values.method === 'index';
if (!byIndex && values.method !== 'scan') throw new Error('--method is scan or index');
const dir = mkdtempSync(path.join(tmpdir(), 'ghlake-state-lookup-'));
const instance = await DuckDBInstance.create(path.join(dir, 'state.duckdb'), { threads: '2', memory_limit: '2GB' });
const c = await instance.connect();
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
try {
  console.log('| state rows | touched ids | wall ms | CPU ms |\n|---:|---:|---:|---:|');
  for (const n of values.rows!.split(',').map(Number)) {
    const rows = `SELECT (i * 7919 % ${n})::BIGINT AS id, 'login' || i AS login, 'https://api.github.com/users/login' || i AS url,
      'https://avatars.githubusercontent.com/u/' || i || '?' AS avatar, NULL::VARCHAR AS gravatar, 'User' AS type,
      TIMESTAMP '2024-01-01' + INTERVAL (i % 100000) SECOND AS login_seen_at, TIMESTAMP '2024-01-01' AS first_seen_at, TIMESTAMP '2024-01-02' AS last_seen_at
      FROM range(${n}) t(i)`;
    if (byIndex) {
      await c.run(`CREATE OR REPLACE TABLE st (id BIGINT PRIMARY KEY, login VARCHAR, url VARCHAR, avatar VARCHAR, gravatar VARCHAR, type VARCHAR,
        login_seen_at TIMESTAMP, first_seen_at TIMESTAMP, last_seen_at TIMESTAMP)`);
      await c.run(`INSERT INTO st ${rows}`);
    } else await c.run(`CREATE OR REPLACE TABLE st AS ${rows}`);
    await c.run('CHECKPOINT');
    await c.run(`CREATE OR REPLACE TEMP TABLE touched AS SELECT (i * 104729 % ${n})::BIGINT AS id FROM range(${Number(values.touched)}) t(i)`);
    const touchedIds = Array.from({ length: Number(values.touched) }, (_, i) => (i * 104729) % n);
    const runs: Array<[number, number]> = [];
    for (let r = 0; r < Number(values.runs); r++) {
      const c0 = cpuMs();
      const t0 = performance.now();
      if (byIndex) {
        await c.run('CREATE OR REPLACE TEMP TABLE old_state AS SELECT * FROM st WHERE false');
        for (let k = 0; k < touchedIds.length; k += 2048)
          await c.run(`INSERT INTO old_state SELECT * FROM st WHERE id IN (${touchedIds.slice(k, k + 2048).join(',')})`);
      } else await c.run(`CREATE OR REPLACE TEMP TABLE old_state AS SELECT s.* FROM st s SEMI JOIN touched t ON s.id = t.id`);
      runs.push([performance.now() - t0, cpuMs() - c0]);
    }
    runs.sort((a, b) => a[0] - b[0]);
    const [wall, cpu] = runs[Math.floor(runs.length / 2)]!;
    console.log(`| ${n.toLocaleString('en-US')} | ${Number(values.touched).toLocaleString('en-US')} | ${wall.toFixed(0)} | ${cpu.toFixed(0)} |`);
  }
} finally {
  c.closeSync();
  instance.closeSync();
  rmSync(dir, { recursive: true, force: true });
}
