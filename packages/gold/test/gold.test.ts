import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, GOLD_TABLES, goldLinkPath, goldVersionsDir } from '@ghlake/core';
import { buildGold } from '../src/runner.js';
import { TEST_SETTINGS, iso, publishSilver, sql, tempLake } from './helpers.js';
import { writeSmallLake } from './fixtures/small-lake.js';

let lake: string;
let cleanup: () => Promise<void>;

/** A gold table read through the `<lake>/gold` link, timestamps as ISO text. */
async function gold(table: string, orderBy: string) {
  const rows = await sql(`SELECT * FROM read_parquet('${lake}/gold/${table}/*.parquet') ORDER BY ${orderBy}`);
  return rows.map((r) => Object.values(r).map((v) => (v instanceof Date ? iso(v) : v)));
}

const T = (hm: string) => `2015-01-01T${hm}:00Z`;

/** What `ghlake gold` does: publish the staged silver, then gold from what it changed. */
async function build(options: { rebuild?: boolean; signal?: AbortSignal } = {}) {
  await publishSilver(lake);
  return buildGold({ lake, ...TEST_SETTINGS, refreshWarehouse: false, ...options });
}
const N = null;

describe('gold over a hand-counted three-hour lake', () => {
  beforeAll(async () => {
    ({ lake, cleanup } = await tempLake());
    await writeSmallLake(lake);
    await build();
  });
  afterAll(async () => cleanup());

  it('actor_metrics: per actor, events counted once even when filed in two hours', async () => {
    expect(await gold('actor_metrics', 'actor_id')).toEqual([
      // id, login, display, url, type, site_admin, avatar, gravatar, is_bot, total, unique_repos, first, last
      [
        1,
        'alice',
        'alice',
        'https://api.github.com/users/alice',
        'User',
        false,
        'https://avatars.githubusercontent.com/u/1?',
        '',
        false,
        4,
        2,
        T('00:10'),
        T('02:30'),
      ],
      [2, 'bobby', 'bobby', 'https://api.github.com/users/bobby', N, N, 'https://avatars.githubusercontent.com/u/2?', '', false, 3, 1, T('00:20'), T('02:00')],
      [
        3,
        'ci-bot',
        'ci-bot',
        'https://api.github.com/users/ci-bot',
        'Bot',
        false,
        'https://avatars.githubusercontent.com/u/3?',
        '',
        true,
        1,
        1,
        T('00:59'),
        T('00:59'),
      ],
    ]);
  });

  it('repo_metrics: per repository, attributes from silver.repositories (NULL when never observed)', async () => {
    expect(await gold('repo_metrics', 'repo_id')).toEqual([
      [100, 'acme/app', 'https://api.github.com/repos/acme/app', N, N, N, N, N, N, N, N, N, N, N, 5, 2, T('00:10'), T('02:30')],
      [
        101,
        'acme/lib',
        'https://api.github.com/repos/acme/lib',
        500,
        'acme',
        false,
        'Go',
        '2014-01-01T00:00:00Z',
        T('00:59'),
        12,
        0,
        0,
        12,
        321,
        2,
        2,
        T('00:30'),
        T('00:59'),
      ],
      [102, N, N, N, N, N, N, N, N, N, N, N, N, N, 1, 0, T('01:15'), T('01:15')],
    ]);
  });

  it('org_metrics: only events that carry an org; description always NULL', async () => {
    expect(await gold('org_metrics', 'org_id')).toEqual([
      [500, 'acme-corp', 'https://api.github.com/orgs/acme-corp', 'https://avatars.githubusercontent.com/u/500?', N, 5, 2, 2, T('00:10'), T('02:30')],
      [501, 'ci', 'https://api.github.com/orgs/ci', 'https://avatars.githubusercontent.com/u/501?', N, 1, 1, 1, T('00:59'), T('00:59')],
    ]);
  });

  it('event_type_metrics: counts, exact distincts (NULL ids not counted) and shares of all 9 events', async () => {
    expect(await gold('event_type_metrics', 'event_type')).toEqual([
      ['CreateEvent', 1, 1, 0, 1 / 9],
      ['IssuesEvent', 1, 1, 1, 1 / 9],
      ['PushEvent', 5, 2, 2, 5 / 9],
      ['WatchEvent', 2, 1, 2, 2 / 9],
    ]);
  });

  it('daily_summary: per event hour (hour_bucket), not per source file', async () => {
    expect(await gold('daily_summary', 'hour_bucket')).toEqual([
      [T('00:00'), '2015-01-01T00:00:00Z', 4, 3, 2],
      [T('01:00'), '2015-01-01T00:00:00Z', 3, 2, 2],
      [T('02:00'), '2015-01-01T00:00:00Z', 2, 2, 1],
    ]);
  });

  it('writes every gold table with exactly its declared columns and types', async () => {
    for (const table of GOLD_TABLES) {
      const schema = await sql(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${lake}/gold/${table.name}/*.parquet'))`);
      expect(
        schema.map((c) => `${String(c.column_name)} ${String(c.column_type)}`),
        table.name,
      ).toEqual(table.columns.map((c) => `${c.name} ${c.type}`));
    }
  });
});

describe('gold is swapped in atomically', () => {
  beforeEach(async () => {
    ({ lake, cleanup } = await tempLake());
  });
  afterEach(async () => cleanup());

  it('publishes <lake>/gold as a link to a complete version, keeps the previous one, deletes older ones', async () => {
    await writeSmallLake(lake, ['2015-01-01-0']);
    const first = await build();
    expect(first.previousVersion).toBeUndefined();
    expect(await fs.readlink(goldLinkPath(lake))).toBe(path.join('gold-versions', first.version!));
    expect(first.gold.map((g) => [g.table, g.rows])).toEqual([
      ['actor_metrics', 3],
      ['repo_metrics', 2],
      ['org_metrics', 2],
      ['event_type_metrics', 3],
      ['daily_summary', 1],
      ['repo_daily_metrics', 2],
      ['actor_daily_metrics', 3],
      ['org_daily_metrics', 2],
    ]);

    await writeSmallLake(lake, ['2015-01-01-1', '2015-01-01-2']);
    const second = await build();
    expect(second.previousVersion).toBe(first.version);
    expect((await sql(`SELECT sum(total_events) AS n FROM read_parquet('${lake}/gold/daily_summary/*.parquet')`))[0]!.n).toBe(9);
    // A reader that resolved the old link can still finish reading the previous version.
    expect((await sql(`SELECT sum(total_events) AS n FROM read_parquet('${goldVersionsDir(lake)}/${first.version}/daily_summary/*.parquet')`))[0]!.n).toBe(4);

    // Nothing new: no version. A rebuild makes one, and the oldest goes.
    expect((await build()).mode).toBe('unchanged');
    const third = await build({ rebuild: true });
    expect(third.prunedVersions).toEqual([first.version]);
    expect((await fs.readdir(goldVersionsDir(lake))).sort()).toEqual([second.version, third.version].sort());
  });

  it('publishes nothing when interrupted (Ctrl-C)', async () => {
    await writeSmallLake(lake);
    await publishSilver(lake);
    const controller = new AbortController();
    controller.abort();
    // Its own code (exit 130, safe to rerun), not a usage error.
    await expect(buildGold({ lake, ...TEST_SETTINGS, signal: controller.signal })).rejects.toMatchObject({
      code: ERROR_CODES.INTERRUPTED,
      message: 'gold interrupted',
    });
    await expect(fs.lstat(goldLinkPath(lake))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await fs.readdir(goldVersionsDir(lake)).catch(() => [])).toEqual([]);
  });

  it('leaves the published gold (and silver) untouched when a build fails midway, and the next one completes', async () => {
    await writeSmallLake(lake, ['2015-01-01-0', '2015-01-01-1']);
    const good = await build();
    // A new hour whose staged events file is not Parquet: silver's commit fails, nothing changes.
    await writeSmallLake(lake, ['2015-01-01-2']);
    const staged = path.join(lake, '_state', 'staged', 'events', 'date=2015-01-01', 'hour=2', 'part-0.parquet');
    const bytes = await fs.readFile(staged);
    await fs.writeFile(staged, 'not parquet');
    await expect(build()).rejects.toMatchObject({ code: 'GHLAKE_SQL' });
    expect(await fs.readlink(goldLinkPath(lake))).toBe(path.join('gold-versions', good.version!));
    expect(await fs.readdir(goldVersionsDir(lake))).toEqual([good.version]);
    await expect(fs.stat(path.join(lake, 'silver', 'events', 'date=2015-01-01', 'hour=2'))).rejects.toMatchObject({ code: 'ENOENT' });
    await fs.writeFile(staged, bytes);
    const next = await build();
    expect(next.mode).toBe('incremental');
    expect((await sql(`SELECT sum(total_events) AS n FROM read_parquet('${lake}/gold/daily_summary/*.parquet')`))[0]!.n).toBe(9);
  });
});
