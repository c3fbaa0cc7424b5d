/**
 * Timeline logins resolved across hours (issue 14; docs/transform.md, Timeline, "Resolution across
 * hours"), end to end with the real CLI: the real 500-line 2014-06-01-1 slice split into two hours
 * (a login resolved by another event of its hour is then resolved in one half and synthetic in the
 * other), plus one Events API event of 2015 (the real first line of 2015-01-01-0, its actor renamed
 * to a login the slice only has as synthetic) that teaches that login's id. In whatever order the
 * hours are run, silver and gold equal `ghlake silver --rebuild` + `ghlake gold --rebuild`.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMirror, type Mirror } from '../../../tools/mirror/server.js';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';
import { realLines } from '../../bronze/test/real-lines.js';
import { runGhlake } from './helpers/ghlake-process.js';
import { sql } from './helpers/duckdb-sql.js';

const H1 = '2014-06-01-1';
const H2 = '2014-06-01-2';
const E = '2015-01-01-0';
/** A login the slice carries only without an id (4 events, all in its first half). */
const TAUGHT = 'FiaDot';
/** The id the 2015 event's actor has (davidjhulse's, renamed here). */
const TAUGHT_ID = 9152315;

let work: string;
let mirror: Mirror;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-timeline-logins-'));
  const dir = path.join(work, 'mirror');
  await fs.mkdir(dir, { recursive: true });
  const lines = realLines(GHARCHIVE_FIXTURES.timeline.slice2014).map(String);
  await fs.writeFile(path.join(dir, `${H1}.json.gz`), gzipSync(`${lines.slice(0, 250).join('\n')}\n`));
  await fs.writeFile(path.join(dir, `${H2}.json.gz`), gzipSync(`${lines.slice(250).join('\n')}\n`));
  const first = JSON.parse(
    gunzipSync(await fs.readFile(GHARCHIVE_FIXTURES.hour2015_01_01_0))
      .toString('utf8')
      .split('\n')[0]!,
  ) as {
    actor: { id: number; login: string };
  };
  expect(first.actor.id).toBe(TAUGHT_ID);
  first.actor.login = TAUGHT;
  await fs.writeFile(path.join(dir, `${E}.json.gz`), gzipSync(`${JSON.stringify(first)}\n`));
  mirror = await startMirror({ root: dir });
});
afterAll(async () => {
  await mirror?.close();
  await fs.rm(work, { recursive: true, force: true });
});

async function run(lake: string, ...args: string[]) {
  const r = await runGhlake([...args, '--lake', lake, '--threads', '2']);
  expect(r.stderr).not.toMatch(/"level":"error"/);
  expect(r.code, r.stderr).toBe(0);
  return r;
}
const runHours = (lake: string, from: string, to = from) => run(lake, 'run', '--from', from, '--to', to, '--base-url', mirror.url);

/** What users read: silver.events' ids, the entity tables and gold, from the warehouse. */
async function snapshot(lake: string) {
  const w = path.join(lake, 'warehouse.duckdb');
  const events = `read_parquet('${path.join(lake, 'silver', 'events', '*', '*', 'part-*.parquet')}', hive_partitioning = true)`;
  return {
    events: await sql(`SELECT "hour", event_id, actor_id, actor_id_source, org_id, org_id_source FROM ${events} ORDER BY ALL`),
    actors: await sql('SELECT * FROM silver.actors ORDER BY ALL', w),
    organizations: await sql('SELECT * FROM silver.organizations ORDER BY ALL', w),
    actorMetrics: await sql('SELECT * FROM gold.actor_metrics ORDER BY ALL', w),
    orgMetrics: await sql('SELECT * FROM gold.org_metrics ORDER BY ALL', w),
    repoMetrics: await sql('SELECT * FROM gold.repo_metrics ORDER BY ALL', w),
    types: await sql('SELECT * FROM gold.event_type_metrics ORDER BY ALL', w),
    daily: await sql('SELECT * FROM gold.daily_summary ORDER BY ALL', w),
  };
}

const countBy = (rows: Record<string, unknown>[], column: string) =>
  rows.reduce<Record<string, number>>((k, r) => ((k[String(r[column])] = (k[String(r[column])] ?? 0) + 1), k), {});
/** The synthetic id silver gave a login (its actor row's id; negative). */
const syntheticOf = (s: Awaited<ReturnType<typeof snapshot>>, login: string) => {
  const id = s.actors.find((a) => a.actor_login === login)?.actor_id;
  expect(Number(id)).toBeLessThan(0);
  return id;
};

describe('Timeline logins resolved across hours', () => {
  const lakes: Record<string, string> = {};
  const snaps: Record<string, Awaited<ReturnType<typeof snapshot>>> = {};

  it('in order (one run per hour): each later hour re-keys the earlier one; one account, one row, counted once', async () => {
    const lake = (lakes.inOrder = path.join(work, 'in-order'));
    await runHours(lake, H1);
    const first = await snapshot(lake);
    expect(countBy(first.events, 'actor_id_source')).toEqual({ resolved: 28, synthetic: 222 });
    // hsbt: two events in the first half, where no event gives its id (the second half does: 12301).
    expect(first.actors.filter((a) => a.actor_login === 'hsbt').map((a) => a.actor_id)).toEqual([syntheticOf(first, 'hsbt')]);
    // The second half knows hsbt and seattlerb (3 rows of the first half re-keyed), and its own
    // faithandbrave and cpprefjp get the first half's ids (3 ids in 2 rows: one row has both; rows are counted); the 2015 event re-keys FiaDot's hour.
    expect((await runHours(lake, H2)).stdout).toContain("Timeline logins resolved across hours: 2 new rows given the lake's id, 1 published hour re-keyed");
    expect((await runHours(lake, E)).stdout).toContain("Timeline logins resolved across hours: 0 new rows given the lake's id, 1 published hour re-keyed");
    const after = (snaps.inOrder = await snapshot(lake));
    // The whole slice as ONE hour has 54 resolved and 446 synthetic actors: split in two, 3 of its
    // resolutions cross the split (hsbt ×2 in the first half, faithandbrave ×1 in the second), and
    // FiaDot's 4 events get the 2015 event's id: 7 rows `lake`.
    expect(countBy(after.events, 'actor_id_source')).toEqual({ event: 1, resolved: 51, synthetic: 442, lake: 7 });
    expect(
      countBy(
        after.events.filter((e) => e.actor_id_source === 'lake'),
        'actor_id',
      ),
    ).toEqual({ 12301: 2, 240038: 1, [TAUGHT_ID]: 4 });
    // Organizations: seattlerb (1 event, first half) and cpprefjp (2, second half) are known in the other half.
    expect(countBy(after.events, 'org_id_source')).toEqual({ null: 391, resolved: 14, synthetic: 93, lake: 3 });
    expect(
      countBy(
        after.events.filter((e) => e.org_id_source === 'lake'),
        'org_id',
      ),
    ).toEqual({ 55277: 1, 3665874: 2 });
    // One row per account in silver.actors, none with the synthetic id.
    for (const [login, id] of [
      ['hsbt', 12301],
      ['faithandbrave', 240038],
      [TAUGHT, TAUGHT_ID],
    ] as const) {
      expect(after.actors.filter((a) => String(a.actor_login).toLowerCase() === login.toLowerCase()).map((a) => a.actor_id)).toEqual([id]);
    }
    expect(after.actors.filter((a) => a.actor_id === TAUGHT_ID)).toMatchObject([{ actor_login: TAUGHT, first_seen_at: new Date('2014-06-01T08:05:38Z') }]);
    expect(after.actors).toHaveLength(361);
    // Gold: the account once, with its 4 Timeline events and the 2015 one; as many actors as the
    // slice read as one hour (361, timeline-run.test.ts), now that the split is resolved.
    expect(after.actorMetrics.filter((a) => a.actor_id === TAUGHT_ID)).toMatchObject([{ total_events: 5, actor_login: TAUGHT }]);
    expect(after.actorMetrics).toHaveLength(361);
    expect(
      after.actorMetrics.filter((a) => Number(a.actor_id) < 0 && ['hsbt', 'faithandbrave', 'fiadot'].includes(String(a.actor_login).toLowerCase())),
    ).toEqual([]);
  });

  it('in reverse order, and both Timeline hours in one run: the same silver and gold', async () => {
    const reverse = (lakes.reverse = path.join(work, 'reverse'));
    await runHours(reverse, E);
    await runHours(reverse, H2);
    await runHours(reverse, H1);
    expect(await snapshot(reverse)).toEqual(snaps.inOrder);
    const together = path.join(work, 'together');
    await runHours(together, H1, H2);
    await runHours(together, E);
    expect(await snapshot(together)).toEqual(snaps.inOrder);
  });

  it('silver --rebuild resolves hours published without the lake knowing each other (state lost), gold --rebuild counts the same', async () => {
    // Three lakes of one hour each, their silver partitions put together, the state gone: only the
    // rebuild can resolve across them.
    const lake = path.join(work, 'pieced');
    await runHours(lake, H1);
    for (const [name, hour] of [
      ['piece-2', H2],
      ['piece-e', E],
    ] as const) {
      const other = path.join(work, name);
      await runHours(other, hour);
      for (const table of ['events', 'payload_details', 'actor_observations', 'repository_observations', 'organization_observations']) {
        await fs.cp(path.join(other, 'silver', table), path.join(lake, 'silver', table), { recursive: true });
      }
    }
    await fs.rm(path.join(lake, '_state', 'state.duckdb'));
    await run(lake, 'silver', '--rebuild');
    await run(lake, 'gold', '--rebuild');
    expect(await snapshot(lake)).toEqual(snaps.inOrder);
  });

  for (const point of ['silver:committed', 'silver:journal-half-applied']) {
    it(`killed at ${point} while the 2015 event re-keys the first hour: the rerun gives the same`, async () => {
      const lake = path.join(work, `crash-${point.replace(':', '-')}`);
      await runHours(lake, H1);
      await runHours(lake, H2);
      const killed = await runGhlake(['run', '--from', E, '--to', E, '--base-url', mirror.url, '--lake', lake, '--threads', '2'], {
        env: { GHLAKE_CRASH_AT: point },
      });
      expect(killed.code).toBeNull();
      await runHours(lake, E);
      expect(await snapshot(lake)).toEqual(snaps.inOrder);
    });
  }

  it('ghlake silver --rebuild and gold --rebuild give the same', async () => {
    const lake = lakes.inOrder!;
    await run(lake, 'silver', '--rebuild');
    await run(lake, 'gold', '--rebuild');
    expect(await snapshot(lake)).toEqual(snaps.inOrder);
  });
});
