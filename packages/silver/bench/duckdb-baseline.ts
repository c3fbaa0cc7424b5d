/**
 * The DuckDB baseline: the same hour files → silver.events and silver.payload_details Parquet,
 * in SQL, on the same threads. One scan per hour (`read_json` with an explicit schema, payload
 * typed JSON, all payload fields pulled with ONE multi-path json_extract so the payload is parsed
 * once), materialized, then one COPY per table. `withBronze` also writes a bronze-like events file
 * holding the payload text (the fused path writes bronze too).
 */
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';

const COLUMNS = `{id: 'BIGINT', type: 'VARCHAR', actor: 'STRUCT(id BIGINT, login VARCHAR, display_login VARCHAR, gravatar_id VARCHAR, url VARCHAR, avatar_url VARCHAR)', repo: 'STRUCT(id BIGINT, name VARCHAR, url VARCHAR)', org: 'STRUCT(id BIGINT, login VARCHAR, gravatar_id VARCHAR, url VARCHAR, avatar_url VARCHAR)', payload: 'JSON', public: 'BOOLEAN', created_at: 'TIMESTAMP'}`;
const PATHS = ['$.action', '$.issue.id', '$.pull_request.id', '$.comment.id', '$.size', '$.ref', '$.ref_type', '$.head', '$.before', '$.distinct_size'];
const BOT = String.raw`(?i)(\[bot\]$|(^|[-_.])(bot|robot)$|^(bot|robot)[-_.])`;

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;

export interface DuckDbRunResult {
  events: number;
}

export async function duckdbSilver(files: readonly string[], outDir: string, options: { threads: number; withBronze?: boolean }): Promise<DuckDbRunResult> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(options.threads) });
  const db = await instance.connect();
  let events = 0;
  try {
    for (const file of files) {
      const hour = path.basename(file, '.json.gz');
      const dir = path.join(outDir, hour);
      await mkdir(dir, { recursive: true });
      await db.run(`CREATE OR REPLACE TEMP TABLE ev AS
        SELECT *, json_extract_string(payload, [${PATHS.map(q).join(', ')}]) AS p
        FROM read_json(${q(file)}, format = 'newline_delimited', columns = ${COLUMNS})`);
      await db.run(`COPY (SELECT id AS event_id, md5(payload::VARCHAR) AS event_hash, type AS event_type, created_at,
          actor.id AS actor_id, repo.id AS repo_id, org.id AS org_id, regexp_matches(actor.login, ${q(BOT)}) AS is_bot,
          public, date_trunc('hour', created_at) AS hour_bucket, now()::TIMESTAMP AS processed_at FROM ev)
        TO ${q(path.join(dir, 'events.parquet'))} (FORMAT parquet)`);
      await db.run(`COPY (SELECT id AS event_id, type AS event_type, p[1] AS payload_action, p[2]::BIGINT AS payload_issue_id,
          p[3]::BIGINT AS payload_pull_request_id, p[4]::BIGINT AS payload_comment_id,
          CASE WHEN type = 'PushEvent' THEN p[5]::BIGINT END AS payload_push_size, p[6] AS payload_ref, p[7] AS payload_ref_type,
          p[8] AS payload_head, p[9] AS payload_before, strlen(payload::VARCHAR) AS payload_size,
          CASE WHEN type = 'PushEvent' THEN p[10]::BIGINT END AS payload_distinct_size, created_at FROM ev)
        TO ${q(path.join(dir, 'payload_details.parquet'))} (FORMAT parquet)`);
      if (options.withBronze) {
        await db.run(`COPY (SELECT id AS event_id, type AS event_type, created_at, actor.id AS actor_id, actor.login AS actor_login,
            repo.id AS repo_id, repo.name AS repo_name, org.id AS org_id, org.login AS org_login, public, payload::VARCHAR AS payload,
            to_json(actor)::VARCHAR AS actor, to_json(repo)::VARCHAR AS repo, to_json(org)::VARCHAR AS org, md5(payload::VARCHAR) AS event_hash,
            ${q(path.basename(file))} AS source_file, now()::TIMESTAMP AS ingested_at FROM ev)
          TO ${q(path.join(dir, 'bronze_events.parquet'))} (FORMAT parquet)`);
      }
      const [row] = (await db.runAndReadAll('SELECT count(*)::INTEGER AS n FROM ev')).getRowObjects();
      events += Number(row!.n);
    }
  } finally {
    db.closeSync();
    instance.closeSync();
  }
  return { events };
}
