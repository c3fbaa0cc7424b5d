/**
 * Publishing a silver commit's files after its transaction commits. Every file a commit publishes
 * is first written complete under `<lake>/_state/commits/<seq>/` (or is already complete, e.g. a
 * staged observation partition); the journal — written in the commit's transaction — lists the
 * moves into place and the deletions. Applying it is idempotent: a move whose source is gone and
 * whose target exists was done; so a run killed half-way through applies the rest next time.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { commitFilesDir, commitsDir, crashPoint, fsyncDir, entryExists } from '@ghlake/core';
import { queryRows, runSql, sqlString, type OpenDuckDB } from '@ghlake/core/duckdb';
import { SILVER_JOURNAL } from '@ghlake/core/duckdb';

export type JournalEntry = { op: 'move'; src: string; dst: string } | { op: 'delete'; dst: string };

/** Record a commit's moves and deletions (inside the commit's transaction). */
export async function writeJournal(db: OpenDuckDB, seq: number, entries: readonly JournalEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const values = entries.map((e, i) => `(${seq}, ${i}, ${sqlString(e.op)}, ${e.op === 'move' ? sqlString(e.src) : 'NULL'}, ${sqlString(e.dst)})`);
  for (let i = 0; i < values.length; i += 1000) {
    await runSql(db.connection, `INSERT INTO ${SILVER_JOURNAL.name} VALUES ${values.slice(i, i + 1000).join(', ')}`);
  }
}

/** Apply every journaled entry (oldest commit first), then forget them. Returns how many were applied. */
export async function applyJournal(db: OpenDuckDB, lake: string): Promise<number> {
  const rows = await queryRows(db.connection, `SELECT seq, step, op, src, dst FROM ${SILVER_JOURNAL.name} ORDER BY seq, step`);
  if (rows.length === 0) return 0;
  const dirs = new Set<string>();
  for (const [i, row] of rows.entries()) {
    if (i === Math.floor(rows.length / 2)) crashPoint('silver:journal-half-applied');
    const dst = String(row.dst);
    if (row.op === 'delete') {
      await fs.rm(dst, { force: true });
      continue;
    }
    const src = String(row.src);
    if (await entryExists(src)) {
      await fs.mkdir(path.dirname(dst), { recursive: true });
      await fs.rename(src, dst);
      dirs.add(path.dirname(dst));
    } else if (!(await entryExists(dst))) {
      throw new Error(`silver commit ${String(row.seq)}: neither ${src} nor ${dst} exists; the lake state is damaged (rebuild: ghlake silver --rebuild)`);
    }
  }
  for (const dir of dirs) await fsyncDir(dir);
  const seqs = [...new Set(rows.map((r) => Number(r.seq)))];
  await runSql(db.connection, `DELETE FROM ${SILVER_JOURNAL.name} WHERE seq IN (${seqs.join(', ')})`);
  for (const seq of seqs) await fs.rm(commitFilesDir(lake, seq), { recursive: true, force: true });
  return rows.length;
}

/** Remove commit folders no journal refers to (a run killed before its commit). */
export async function removeAbandonedCommits(db: OpenDuckDB, lake: string): Promise<number> {
  const pending = new Set((await queryRows(db.connection, `SELECT DISTINCT seq FROM ${SILVER_JOURNAL.name}`)).map((r) => String(r.seq)));
  const names = await fs.readdir(commitsDir(lake)).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    if (pending.has(name)) continue;
    await fs.rm(path.join(commitsDir(lake), name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
