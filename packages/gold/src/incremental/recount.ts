/**
 * Gold's state recounted from the published silver — the rebuild, and the reference the
 * incremental path must agree with. Cost: every silver event (DuckDB spills past its memory limit).
 */
import { partitionGlob, silverEvents } from '@ghlake/core';
import { emptyRelation, listPartitionFiles, runSql, sqlString, typedSelectList, type OpenDuckDB } from '@ghlake/core/duckdb';
import { GROUPS } from './apply-changes.js';
import { GOLD_DAILY, GOLD_STATE_TABLES, PAIRS } from './state-tables.js';

const BOT = `CASE WHEN is_bot THEN 1 WHEN NOT is_bot THEN 0 END`;

export async function recountGoldState(db: OpenDuckDB, lake: string): Promise<void> {
  const c = db.connection;
  const events = (await listPartitionFiles(lake, silverEvents)).length
    ? `(SELECT ${typedSelectList(silverEvents)} FROM read_parquet(${sqlString(partitionGlob(lake, 'silver', 'events'))}, hive_partitioning = false))`
    : emptyRelation(silverEvents);
  for (const t of GOLD_STATE_TABLES) if (t.name !== 'state_meta') await runSql(c, `DELETE FROM ${t.name}`);
  for (const p of Object.values(PAIRS)) {
    await runSql(
      c,
      `INSERT INTO ${p.name} SELECT ${p.a}, ${p.b}, count(*) FROM ${events} WHERE ${p.a} IS NOT NULL AND ${p.b} IS NOT NULL GROUP BY ALL`,
      `recounting ${p.name}`,
    );
  }
  for (const g of GROUPS) {
    const uniques = g.uniques.map((u, i) => {
      const side = u.side === 'a' ? u.pair.a : u.pair.b;
      return { column: u.column, join: `LEFT JOIN (SELECT ${side} AS ${g.id}, count(*) AS n FROM ${u.pair.name} GROUP BY ${side}) u${i} USING (${g.id})` };
    });
    await runSql(
      c,
      `INSERT INTO ${g.state} BY NAME SELECT e.${g.id}, e.${g.total}, ${uniques.map((u, i) => `coalesce(u${i}.n, 0) AS ${u.column}`).join(', ')}
         ${g.span ? ', e.first_event, e.last_event' : ''}${g.bot ? ', e.any_bot' : ''}
       FROM (SELECT ${g.id}, count(*) AS ${g.total}${g.span ? ', min(created_at) AS first_event, max(created_at) AS last_event' : ''}${g.bot ? `, max(${BOT}) AS any_bot` : ''}
             FROM ${events} WHERE ${g.id} IS NOT NULL GROUP BY ${g.id}) e ${uniques.map((u) => u.join).join(' ')}`,
      `recounting ${g.state}`,
    );
  }
  await runSql(
    c,
    `INSERT INTO ${GOLD_DAILY.name} SELECT hour_bucket, count(*), count(DISTINCT actor_id), count(DISTINCT repo_id) FROM ${events} GROUP BY hour_bucket`,
    'recounting daily_summary',
  );
}
