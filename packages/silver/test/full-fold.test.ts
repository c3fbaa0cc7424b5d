import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silverActors, silverOrganizations, silverRepositories } from '@ghlake/core';
import { consolidateEntities } from '../src/consolidate/rebuild/index.js';
import { duckdbTempDir, openDuckDB, type OpenDuckDB } from '@ghlake/core/duckdb';
import { consolidatedFile } from '@ghlake/core/duckdb';
import { TEST_SETTINGS, actorObs, iso, orgObs, repoObs, sql, tempLake, writeSilverHour } from './silver-lake.js';

let lake: string;
let cleanup: () => Promise<void>;
let db: OpenDuckDB;

beforeEach(async () => {
  ({ lake, cleanup } = await tempLake());
  db = await openDuckDB({ ...TEST_SETTINGS, tempDirectory: duckdbTempDir(lake) });
});
afterEach(async () => {
  db.close();
  await cleanup();
});

const rowsOf = async (name: 'actors' | 'repositories' | 'organizations', key: string) =>
  (await sql(`SELECT * FROM read_parquet('${consolidatedFile(lake, { layer: 'silver', name })}') ORDER BY ${key}`)).map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? iso(v) : v])),
  );

describe('entity consolidation from per-hour observations', () => {
  it('folds actors: each attribute from its latest non-NULL observation, seen range over all hours', async () => {
    await writeSilverHour(lake, '2015-01-01-0', {
      actors: [
        actorObs({
          id: 1,
          login: 'alice-old',
          display: 'Alice',
          seen: '2015-01-01T00:50:00',
          first: '2015-01-01T00:01:00',
          type: 'User',
          typeSeen: '2015-01-01T00:40:00',
          siteAdmin: false,
        }),
      ],
    });
    await writeSilverHour(lake, '2015-01-01-1', {
      actors: [
        // renamed; display_login missing in this hour's actor object; no payload user object → type NULL
        actorObs({ id: 1, login: 'alice', display: null, seen: '2015-01-01T01:05:00', last: '2015-01-01T01:30:00' }),
        actorObs({ id: 2, login: 'bob', seen: '2015-01-01T01:10:00' }),
      ],
    });
    const results = await consolidateEntities(db.connection, lake);
    expect(results.map((r) => [r.table, r.partitions, r.rows])).toEqual([
      ['actors', 2, 2],
      ['repositories', 2, 0],
      ['organizations', 2, 0],
    ]);
    expect(await rowsOf('actors', 'actor_id')).toEqual([
      {
        actor_id: 1,
        actor_login: 'alice',
        actor_display_login: 'Alice',
        actor_url: 'https://api.github.com/users/alice',
        actor_type: 'User',
        actor_site_admin: false,
        avatar_url: 'https://avatars.githubusercontent.com/u/1?',
        gravatar_id: '',
        first_seen_at: '2015-01-01T00:01:00Z',
        last_seen_at: '2015-01-01T01:30:00Z',
      },
      {
        actor_id: 2,
        actor_login: 'bob',
        actor_display_login: 'bob',
        actor_url: 'https://api.github.com/users/bob',
        actor_type: null,
        actor_site_admin: null,
        avatar_url: 'https://avatars.githubusercontent.com/u/2?',
        gravatar_id: '',
        first_seen_at: '2015-01-01T01:10:00Z',
        last_seen_at: '2015-01-01T01:10:00Z',
      },
    ]);
  });

  it('dates attributes by seen_at, not by source hour: a late event filed in a later hour does not win', async () => {
    // Since 2025-05-24 events are filed by crawl time: hour 5's file holds an event from 04:10.
    await writeSilverHour(lake, '2025-06-01-4', { actors: [actorObs({ id: 7, login: 'current', seen: '2025-06-01T04:50:00' })] });
    await writeSilverHour(lake, '2025-06-01-5', { actors: [actorObs({ id: 7, login: 'stale', seen: '2025-06-01T04:10:00' })] });
    await consolidateEntities(db.connection, lake);
    expect((await rowsOf('actors', 'actor_id')).map((r) => [r.actor_login, r.first_seen_at, r.last_seen_at])).toEqual([
      ['current', '2025-06-01T04:10:00Z', '2025-06-01T04:50:00Z'],
    ]);
  });

  it('breaks a seen_at tie in favour of the later source hour, whatever order the hours were processed in', async () => {
    await writeSilverHour(lake, '2025-06-01-9', { actors: [actorObs({ id: 8, login: 'in-hour-9', seen: '2025-06-01T08:59:00' })] });
    await writeSilverHour(lake, '2025-06-01-10', { actors: [actorObs({ id: 8, login: 'in-hour-10', seen: '2025-06-01T08:59:00' })] });
    await consolidateEntities(db.connection, lake);
    expect((await rowsOf('actors', 'actor_id')).map((r) => r.actor_login)).toEqual(['in-hour-10']);
  });

  it('folds repositories: name group and payload-details group each from their own latest observation', async () => {
    await writeSilverHour(lake, '2015-01-01-0', {
      repositories: [
        repoObs({
          id: 10,
          name: 'octo/old',
          nameSeen: '2015-01-01T00:05:00',
          first: '2015-01-01T00:05:00',
          details: { owner: 3, ownerLogin: 'octo', fork: false, language: 'Go', stars: 5, seen: '2015-01-01T00:30:00' },
        }),
        // a forkee seen only inside a payload: no repo.name observation
        repoObs({
          id: 11,
          first: '2015-01-01T00:20:00',
          details: { owner: 4, ownerLogin: 'forker', fork: true, language: null, stars: 0, seen: '2015-01-01T00:20:00' },
        }),
      ],
    });
    await writeSilverHour(lake, '2015-01-01-1', {
      repositories: [repoObs({ id: 10, name: 'octo/new', nameSeen: '2015-01-01T01:10:00', first: '2015-01-01T01:10:00', last: '2015-01-01T01:40:00' })],
    });
    await consolidateEntities(db.connection, lake);
    const rows = await rowsOf('repositories', 'repo_id');
    expect(Object.keys(rows[0]!)).toEqual(silverRepositories.columns.map((c) => c.name));
    expect(rows).toEqual([
      {
        repo_id: 10,
        repo_name: 'octo/new',
        repo_url: 'https://api.github.com/repos/octo/new',
        owner_id: 3,
        owner_login: 'octo',
        is_fork: false,
        language: 'Go',
        created_at: '2014-01-01T00:00:00Z',
        updated_at: '2015-01-01T00:30:00Z',
        first_seen_at: '2015-01-01T00:05:00Z',
        last_seen_at: '2015-01-01T01:40:00Z',
        stars_count: 5,
        forks_count: 0,
        issues_count: 0,
        watchers_count: 5,
        size: 10,
      },
      {
        repo_id: 11,
        repo_name: null,
        repo_url: null,
        owner_id: 4,
        owner_login: 'forker',
        is_fork: true,
        language: null,
        created_at: '2014-01-01T00:00:00Z',
        updated_at: '2015-01-01T00:20:00Z',
        first_seen_at: '2015-01-01T00:20:00Z',
        last_seen_at: '2015-01-01T00:20:00Z',
        stars_count: 0,
        forks_count: 0,
        issues_count: 0,
        watchers_count: 0,
        size: 10,
      },
    ]);
  });

  it('folds organizations with description always NULL (no event carries one)', async () => {
    await writeSilverHour(lake, '2015-01-01-0', { organizations: [orgObs({ id: 50, login: 'acme-old', seen: '2015-01-01T00:10:00' })] });
    await writeSilverHour(lake, '2015-01-01-1', { organizations: [orgObs({ id: 50, login: 'acme', seen: '2015-01-01T01:10:00' })] });
    await consolidateEntities(db.connection, lake);
    expect(await rowsOf('organizations', 'org_id')).toEqual([
      {
        org_id: 50,
        org_login: 'acme',
        org_url: 'https://api.github.com/orgs/acme',
        avatar_url: 'https://avatars.githubusercontent.com/u/50?',
        description: null,
        first_seen_at: '2015-01-01T00:10:00Z',
        last_seen_at: '2015-01-01T01:10:00Z',
      },
    ]);
  });

  it('writes empty entity files with the declared columns and types when there are no observations', async () => {
    const results = await consolidateEntities(db.connection, lake);
    expect(results.map((r) => r.rows)).toEqual([0, 0, 0]);
    for (const table of [silverActors, silverRepositories, silverOrganizations]) {
      const schema = await sql(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${consolidatedFile(lake, table)}'))`);
      expect(schema.map((c) => `${String(c.column_name)} ${String(c.column_type)}`)).toEqual(table.columns.map((c) => `${c.name} ${c.type}`));
    }
  });
});
