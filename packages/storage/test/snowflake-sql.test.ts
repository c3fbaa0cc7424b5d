/**
 * The SQL ghlake sends to Snowflake, pinned by reviewed golden files, and the rules that keep
 * config from injecting SQL.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, GhlakeError, SNOWFLAKE_TYPE, findTable, resolveOptions, type HourKey, type TableDecl } from '@ghlake/core';
import {
  SNOWFLAKE_LOAD_OPTIONS,
  SNOWFLAKE_SETUP_OPTIONS,
  connectionFrom,
  createTableSql,
  formatScript,
  goldStatements,
  loadPlanStatements,
  locationFrom,
  objectsFrom,
  planGoldInSnowflake,
  planLoad,
  planSetup,
  SNOWFLAKE_TABLES,
  type LakeTableFile,
  type LoadedFile,
} from '../src/snowflake/index.js';
import { assertStagePath, parseIdentifier, snowflakeString, stageUrl } from '../src/snowflake/sql-text.js';
import { hourDirectory } from '../src/snowflake/load-plan.js';
import { expectGolden } from './fixtures/snowflake/golden.js';

/**
 * Column comments are the core declarations' docs, checked exactly by the DDL test below; the
 * golden files show them as <doc> so that rewording a doc in core does not touch the goldens
 * (a new column or type still does, and should be reviewed: CREATE TABLE IF NOT EXISTS does not
 * alter a table that exists).
 */
const maskColumnDocs = (script: string) =>
  script.replace(/^(  "[A-Z0-9_$]+" [A-Z_]+(?:\(\d+(?:,\d+)?\))?(?: NOT NULL)? COMMENT )'(?:[^']|'')*'(,?)$/gm, "$1'<doc>'$2");

const setupOptions = (flags: Record<string, string | boolean>, env: Record<string, string> = {}) => resolveOptions(SNOWFLAKE_SETUP_OPTIONS, { flags, env });

function thrown(fn: () => unknown): GhlakeError {
  try {
    fn();
  } catch (error) {
    if (error instanceof GhlakeError) return error;
    throw error;
  }
  throw new Error('expected a GhlakeError');
}

const MTIME = Date.UTC(2026, 0, 1);
const file = (table: TableDecl, hour: string | null, part: string, rows: number, bytes = 1000 + rows): LakeTableFile => {
  const rel = `${table.name}/${hour ? `${hourDirectory(hour as HourKey)}/` : ''}${part}`;
  const keyed = /^part-(\d{10})(-full)?\.parquet$/.exec(part);
  return {
    table,
    hour: hour as HourKey | null,
    path: `${table.layer}/${rel}`,
    stagePath: `${table.layer}/${rel}`, // upload mirrors the lake, gold included
    ...(keyed ? { seq: Number(keyed[1]), full: keyed[2] !== undefined } : {}),
    bytes,
    mtimeMs: MTIME,
    rows,
  };
};
const loadedOf = (f: LakeTableFile, change: Partial<LoadedFile> = {}): LoadedFile => ({
  table: `${f.table.layer}.${f.table.name}`,
  hour: f.hour,
  path: f.stagePath,
  bytes: f.bytes,
  mtimeMs: f.mtimeMs,
  rows: f.rows,
  loadedAt: '2026-01-01 00:00:00.000',
  ...change,
});

const events = findTable('silver', 'events');
const payload = findTable('silver', 'payload_details');
const actors = findTable('silver', 'actors');
const actorMetrics = findTable('gold', 'actor_metrics');
const dailySummary = findTable('gold', 'daily_summary');

describe('snowflake setup SQL (golden)', () => {
  it('setup with default names and an existing storage integration', () => {
    const options = setupOptions({ bucket: 'ghlake-lake' });
    const plan = planSetup(objectsFrom(options), locationFrom(options));
    expectGolden('setup.sql', maskColumnDocs(formatScript('ghlake snowflake setup', plan.statements)));
  });

  it('setup with custom names creates the storage integration from --aws-role-arn', () => {
    const options = setupOptions(
      {
        bucket: 'acme-data',
        prefix: '/lakes/ghlake/',
        database: 'analytics',
        'gold-schema': 'marts',
        'aws-role-arn': 'arn:aws:iam::123456789012:role/ghlake-snowflake',
      },
      { GHLAKE_SNOWFLAKE_SILVER_SCHEMA: 'Clean' },
    );
    const plan = planSetup(objectsFrom(options), locationFrom(options));
    expect(plan.createIntegration?.sql).toContain("STORAGE_AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/ghlake-snowflake'");
    expectGolden('setup-with-role-arn.sql', maskColumnDocs(formatScript('ghlake snowflake setup', plan.statements)));
  });

  it('table DDL comes from the core declarations: every column, its SNOWFLAKE_TYPE, NOT NULL where not nullable, its doc as COMMENT', () => {
    const objects = objectsFrom({});
    for (const table of SNOWFLAKE_TABLES) {
      const sql = createTableSql(objects, table);
      for (const c of table.columns) {
        expect(sql).toContain(`"${c.name.toUpperCase()}" ${SNOWFLAKE_TYPE[c.type]}${c.nullable ? '' : ' NOT NULL'} COMMENT ${snowflakeString(c.doc)}`);
      }
      const columnLines = sql.split('\n').filter((l) => l.startsWith('  "'));
      expect(columnLines.length).toBe(table.columns.length + (table.partitioning === 'hour' ? 1 : 0));
    }
    expect(createTableSql(objects, events)).toContain('"GHLAKE_SOURCE_FILE" VARCHAR NOT NULL');
    expect(createTableSql(objects, dailySummary)).not.toContain('GHLAKE_SOURCE_FILE');
  });
});

describe('snowflake load SQL (golden)', () => {
  it('plans new hours in batches of whole hours, a changed hour, new keyed tables of one full file, and skips what is loaded', () => {
    const lake: LakeTableFile[] = [
      file(events, '2015-01-01-0', 'part-0.parquet', 7702),
      file(events, '2015-01-01-1', 'part-0.parquet', 7427),
      file(events, '2015-01-01-1', 'part-1.parquet', 12),
      file(events, '2015-01-01-15', 'part-0.parquet', 11351),
      file(payload, '2015-01-01-15', 'part-0.parquet', 11351),
      file(actors, null, 'part-0000000001-full.parquet', 9000),
      file(actorMetrics, null, 'part-0000000003-full.parquet', 8000),
      file(dailySummary, null, 'part-0000000003-full.parquet', 24),
    ];
    const loaded: LoadedFile[] = [
      loadedOf(lake[3]!, { bytes: 999 }), // 2015-01-01-15 was rewritten in the lake since it was loaded
      loadedOf(lake[4]!), // payload_details 2015-01-01-15: unchanged
      loadedOf(lake[6]!), // gold.actor_metrics: unchanged
    ];
    const plan = planLoad(objectsFrom({}), lake, loaded, { batchFiles: 2 });
    expect(plan.units.map((u) => `${u.kind} ${u.table.name} ${u.hours.join(',')} ${u.files.length}`)).toEqual([
      'hours events 2015-01-01-0 1',
      'hours events 2015-01-01-1 2', // an hour's two files stay together
      'hours events 2015-01-01-15 1',
      'full-refresh actors  1',
      'full-refresh daily_summary  1',
    ]);
    expect(plan.tables.find((t) => t.table === 'silver.events')).toEqual({
      table: 'silver.events',
      lakePartitions: 3,
      newPartitions: 2,
      changedPartitions: 1,
      upToDatePartitions: 0,
    });
    expectGolden('load-plan.sql', formatScript('ghlake snowflake load', loadPlanStatements(plan)));
  });

  it('reload of a range reloads those hours only; the whole tables load only when changed', () => {
    const lake = [
      file(events, '2015-01-01-0', 'part-0.parquet', 10),
      file(events, '2015-01-01-1', 'part-0.parquet', 20),
      file(actors, null, 'part-0000000001-full.parquet', 5),
    ];
    const loaded = lake.map((f) => loadedOf(f));
    expect(planLoad(objectsFrom({}), lake, loaded).units).toEqual([]);
    const ranged = planLoad(objectsFrom({}), lake, loaded, { reload: true, hours: ['2015-01-01-1' as HourKey] });
    expect(ranged.units.map((u) => [u.table.name, u.hours])).toEqual([['events', ['2015-01-01-1']]]);
    const all = planLoad(objectsFrom({}), lake, loaded, { reload: true });
    expect(all.units.map((u) => [u.table.name, u.hours.length])).toEqual([
      ['events', 2],
      ['actors', 0],
    ]);
  });

  it('a file that disappeared from an hour makes the hour changed (its rows are replaced, not kept)', () => {
    const lake = [file(events, '2015-01-01-1', 'part-0.parquet', 20)];
    const loaded = [loadedOf(lake[0]!), loadedOf(file(events, '2015-01-01-1', 'part-1.parquet', 3))];
    const plan = planLoad(objectsFrom({}), lake, loaded);
    expect(plan.tables[0]).toMatchObject({ changedPartitions: 1 });
    expect(plan.units[0]!.prepare[1]!.binds).toEqual(['["date=2015-01-01/hour=1"]']);
  });

  it('each COPY lists at most 1000 files', () => {
    const lake = Array.from({ length: 1001 }, (_, i) =>
      file(events, `2015-01-${String(1 + Math.floor(i / 24)).padStart(2, '0')}-${i % 24}`, 'part-0.parquet', 1),
    );
    const plan = planLoad(objectsFrom({}), lake, []);
    expect(plan.units.map((u) => u.files.length)).toEqual([1000, 1]);
    expect((plan.units[0]!.copy.sql.match(/part-0\.parquet/g) ?? []).length).toBe(1000);
    expect(thrown(() => planLoad(objectsFrom({}), lake, [], { batchFiles: 1001 })).code).toBe(ERROR_CODES.INVALID_OPTION);
    expect(thrown(() => resolveOptions(SNOWFLAKE_LOAD_OPTIONS, { flags: { 'batch-files': '5000' } })).message).toContain('--batch-files');
  });
});

describe('snowflake load of keyed tables (golden)', () => {
  const actorsFull = file(actors, null, 'part-0000000010-full.parquet', 9000);
  const actorsD11 = file(actors, null, 'part-0000000011.parquet', 40);
  const actorsD12 = file(actors, null, 'part-0000000012.parquet', 25);
  const actorsD13 = file(actors, null, 'part-0000000013.parquet', 30);
  const metricsFull = file(actorMetrics, null, 'part-0000000020-full.parquet', 8000);
  const metricsD21 = file(actorMetrics, null, 'part-0000000021.parquet', 12);
  const dailyFull = file(dailySummary, null, 'part-0000000021-full.parquet', 25);

  it('new deltas after a loaded full file are MERGEd (staged, newest row per key); a new full file with deltas after it replaces the table (staged, swapped in)', () => {
    // silver.actors: full 10 and delta 11 loaded; deltas 12 and 13 are new -> one MERGE of both.
    // gold.actor_metrics: never loaded, a full file and a delta -> replace: the newest row of each key into __NEW, swap.
    // gold.daily_summary: a new full file alone -> replace straight into __NEW (no staging).
    const lake = [actorsFull, actorsD11, actorsD12, actorsD13, metricsFull, metricsD21, dailyFull];
    const loaded = [loadedOf(actorsFull), loadedOf(actorsD11), loadedOf(file(dailySummary, null, 'part-0000000020-full.parquet', 24))];
    const plan = planLoad(objectsFrom({}), lake, loaded);
    expect(plan.units.map((u) => `${u.kind} ${u.table.name} ${u.files.map((f) => f.seq).join(',')}`)).toEqual([
      'merge actors 12,13',
      'full-refresh actor_metrics 20,21',
      'full-refresh daily_summary 21',
    ]);
    expect(plan.tables.find((t) => t.table === 'silver.actors')).toEqual({
      table: 'silver.actors',
      lakePartitions: 4,
      newPartitions: 2,
      changedPartitions: 0,
      upToDatePartitions: 2,
      keyed: 'merge',
    });
    expectGolden('load-keyed.sql', formatScript('ghlake snowflake load', loadPlanStatements(plan)));
  });

  it('a new full file (a compaction, or keys that left the table) replaces the table even when deltas were merged before', () => {
    const compacted = file(actors, null, 'part-0000000014-full.parquet', 9010);
    const loaded = [actorsFull, actorsD11, actorsD12, actorsD13].map((f) => loadedOf(f));
    expect(planLoad(objectsFrom({}), [compacted], loaded).units.map((u) => `${u.kind} ${u.files.map((f) => f.seq).join(',')}`)).toEqual(['full-refresh 14']);
    // Up to date: nothing; a loaded file that changed in the lake (rewritten, not a keyed lake's way): replace.
    expect(planLoad(objectsFrom({}), [actorsFull, actorsD11], loaded).units).toEqual([]);
    expect(planLoad(objectsFrom({}), [actorsFull, actorsD11], loaded).tables[1]).toMatchObject({ table: 'silver.actors', keyed: 'up to date' });
    const rewritten = planLoad(objectsFrom({}), [actorsFull, actorsD11], [loadedOf(actorsFull, { bytes: 1 }), loadedOf(actorsD11)]);
    expect(rewritten.units.map((u) => u.kind)).toEqual(['full-refresh']);
    // A delta older than one already merged (a lake whose seqs restarted) is no merge: replace.
    const older = planLoad(
      objectsFrom({}),
      [actorsFull, actorsD11, file(actors, null, 'part-0000000009.parquet', 3)],
      [loadedOf(actorsFull), loadedOf(actorsD11)],
    );
    expect(older.units.map((u) => u.kind)).toEqual(['full-refresh']);
    // --reload (whole lake) replaces every keyed table.
    expect(planLoad(objectsFrom({}), [actorsFull, actorsD11], loaded, { reload: true }).units.map((u) => u.kind)).toEqual(['full-refresh']);
  });
});

describe('gold in Snowflake SQL (golden)', () => {
  it('builds each model into __NEW and swaps it in', () => {
    const units = planGoldInSnowflake(objectsFrom({ database: 'GHLAKE' }), [
      {
        table: 'event_type_metrics',
        sql: 'SELECT event_type, COUNT(*) AS event_count, COUNT(DISTINCT actor_id) AS unique_actors, COUNT(DISTINCT repo_id) AS unique_repos, COUNT(*) / SUM(COUNT(*)) OVER () AS event_share FROM "GHLAKE"."SILVER"."EVENTS" GROUP BY event_type;',
      },
      {
        table: 'gold.daily_summary',
        sql: 'SELECT hour_bucket, hour_bucket::DATE AS day, COUNT(*) AS total_events, COUNT(DISTINCT actor_id) AS unique_actors, COUNT(DISTINCT repo_id) AS unique_repos FROM "GHLAKE"."SILVER"."EVENTS" GROUP BY hour_bucket',
      },
    ]);
    expectGolden('gold-models.sql', formatScript('ghlake gold --engine snowflake', goldStatements(units)));
    expect(thrown(() => planGoldInSnowflake(objectsFrom({}), [{ table: 'silver.events', sql: 'SELECT 1' }])).message).toContain(
      "'silver.events' is not a gold table",
    );
  });
});

describe('config cannot inject SQL', () => {
  it('identifiers are validated, upper-cased and quoted; a name with a quote is refused naming its option', () => {
    expect(parseIdentifier('analytics_v2', '--database')).toBe('ANALYTICS_V2');
    const flag = thrown(() => setupOptions({ bucket: 'b-1', database: 'x"; DROP DATABASE prod; --' }));
    expect(flag.code).toBe(ERROR_CODES.INVALID_OPTION);
    expect(flag.message).toContain('--database');
    const env = thrown(() => setupOptions({ bucket: 'b-1' }, { GHLAKE_SNOWFLAKE_GOLD_SCHEMA: 'GOLD" CASCADE' }));
    expect(env.message).toContain('GHLAKE_SNOWFLAKE_GOLD_SCHEMA');
    expect(thrown(() => setupOptions({ bucket: 'b-1', 'storage-integration': "s3'); DROP" })).message).toContain('--storage-integration');
  });

  it('values that Snowflake cannot bind (stage URL, role ARN, COPY file names) are held to strict patterns', () => {
    expect(thrown(() => setupOptions({ bucket: "b1' OR 1=1" })).message).toContain('--bucket');
    expect(thrown(() => setupOptions({ bucket: 'b-1', prefix: "lake'); DROP STAGE x; --" })).message).toContain('--prefix');
    expect(thrown(() => setupOptions({ bucket: 'b-1', prefix: 'lake\\x' })).message).toContain('--prefix');
    expect(thrown(() => setupOptions({ bucket: 'b-1', 'aws-role-arn': "arn:aws:iam::123456789012:role/x' ENABLED = FALSE" })).message).toContain(
      '--aws-role-arn',
    );
    expect(stageUrl('acme-data', 'lakes/ghlake')).toBe('s3://acme-data/lakes/ghlake/');
    expect(stageUrl('acme-data', '')).toBe('s3://acme-data/');
    expect(() => assertStagePath("silver/events/date=2015-01-01/hour=1/part-0.parquet') FORCE=FALSE --")).toThrow(/not a lake data file path/);
    expect(assertStagePath('gold/actor_metrics/part-0000000012.parquet')).toBe('gold/actor_metrics/part-0000000012.parquet');
    expect(() => assertStagePath('gold/_v/0123456789abcdef/actor_metrics/part-0.parquet')).toThrow(/not a lake data file path/); // the old versioned layout
    expect(() => assertStagePath("gold/actor_metrics/part-1.parquet' --")).toThrow(/not a lake data file path/);
  });

  it('string literals escape quotes and backslashes', () => {
    expect(snowflakeString("it's a \\ test")).toBe("'it''s a \\\\ test'");
  });

  it('what reaches a bind is never spliced into the SQL text', () => {
    const lake = [file(events, '2015-01-01-0', 'part-0.parquet', 10)];
    const sqlText = loadPlanStatements(planLoad(objectsFrom({}), lake, []))
      .map((s) => s.sql)
      .join('\n');
    expect(sqlText).not.toContain('date=2015-01-01/hour=0"'); // hour directories travel as a JSON bind
    expect(sqlText).toContain("'silver/events/date=2015-01-01/hour=0/part-0.parquet'"); // FILES cannot bind: validated literal
  });
});

describe('connection settings', () => {
  const base = { account: 'myorg-acct', user: 'loader' };
  it('needs exactly one way to authenticate, and says which variable to set', () => {
    const none = thrown(() => connectionFrom(setupOptions(base)));
    expect(none.code).toBe(ERROR_CODES.USAGE);
    expect(none.hint).toContain('SNOWFLAKE_PASSWORD');
    expect(thrown(() => connectionFrom(setupOptions(base, { SNOWFLAKE_PASSWORD: 'p', SNOWFLAKE_PRIVATE_KEY_PATH: '/k.p8' }))).message).toBe(
      'both a password and a private key are set',
    );
    expect(thrown(() => connectionFrom(setupOptions(base, { SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: 'x', SNOWFLAKE_PASSWORD: 'p' }))).message).toContain(
      'passphrase',
    );
    expect(thrown(() => connectionFrom(setupOptions({ user: 'u' }, { SNOWFLAKE_PASSWORD: 'p' }))).hint).toBe('set SNOWFLAKE_ACCOUNT or pass --account');
    expect(
      connectionFrom(setupOptions(base, { SNOWFLAKE_PRIVATE_KEY_PATH: '/k.p8', SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: 's', SNOWFLAKE_ROLE: 'loader_role' })),
    ).toEqual({
      account: 'myorg-acct',
      user: 'loader',
      auth: { kind: 'key-pair', privateKeyPath: '/k.p8', passphrase: 's' },
      role: 'LOADER_ROLE',
      database: 'GHLAKE',
    });
  });

  it('SNOWFLAKE_HOST takes a host or a URL', () => {
    expect(connectionFrom(setupOptions(base, { SNOWFLAKE_PASSWORD: 'p', SNOWFLAKE_HOST: 'myorg-acct.snowflakecomputing.com' })).accessUrl).toBe(
      'https://myorg-acct.snowflakecomputing.com',
    );
    expect(connectionFrom(setupOptions({ ...base, 'snowflake-url': 'http://127.0.0.1:4567/' }, { SNOWFLAKE_PASSWORD: 'p' })).accessUrl).toBe(
      'http://127.0.0.1:4567',
    );
    expect(thrown(() => setupOptions({ 'snowflake-url': 'http://h/x?y' })).message).toContain('--snowflake-url');
  });
});
