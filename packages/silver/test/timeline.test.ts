/**
 * Pre-2015 Timeline API lines into silver: these real lines in, these rows out, column by column
 * (docs/transform.md, "Timeline API lines"). Each hour goes both ways silver reads it — straight
 * from the line (the fused path) and from bronze rows' member texts — and both must agree.
 */
import { describe, expect, it } from 'vitest';
import { valueAt, type ColumnarBatch } from '@ghlake/core';
import { HourTransform, syntheticAccountId, transformHourBytes } from '@ghlake/bronze';
import { HourObservations, SilverEventRows } from '../src/index.js';
import { fileBytes, GHARCHIVE_FIXTURES, joinLines, realLines, sha256 } from '../../bronze/test/real-lines.js';
import { bronzeRowView } from './bronze-row-view.js';

const column = (batch: ColumnarBatch, name: string) =>
  Array.from({ length: batch.rowCount }, (_, i) => {
    const v = valueAt(batch.columns[name]!, i);
    return v instanceof Uint8Array ? Buffer.from(v).toString() : v;
  });
const rowsOf = (batch: ColumnarBatch) => {
  const cols = Object.keys(batch.columns).map((name) => [name, column(batch, name)] as const);
  return Array.from({ length: batch.rowCount }, (_, i) => Object.fromEntries(cols.map(([name, values]) => [name, values[i]])));
};
const iso = (ms: unknown) => (ms === null ? null : new Date(ms as number).toISOString());

/** The hour through the fused path: the line reader's view straight into silver. */
function fused(bytes: Buffer) {
  const rows = new SilverEventRows(0);
  const obs = new HourObservations();
  const t = new HourTransform({
    event: (ev) => {
      if (rows.add(ev, ev.duplicate)) obs.add(ev);
    },
    quarantine: () => undefined,
  });
  t.push(bytes);
  t.end();
  return { ...rows.take(), ...obs.batches(), duplicates: rows.duplicates };
}

/** The hour through bronze rows: member texts (actor, repo, org, payload, public, other) and era, as silver-from-bronze reads them. */
function fromBronze(bytes: Buffer) {
  const rows = new SilverEventRows(0);
  const obs = new HourObservations();
  for (const s of transformHourBytes(bytes).events) {
    const view = bronzeRowView(s);
    if (rows.add(view)) obs.add(view);
  }
  return { ...rows.take(), ...obs.batches(), duplicates: rows.duplicates };
}

const both = (bytes: Buffer) => {
  const a = fused(bytes);
  const b = fromBronze(bytes);
  for (const table of ['events', 'details', 'actors', 'repositories', 'organizations'] as const) expect(rowsOf(b[table])).toEqual(rowsOf(a[table]));
  expect(b.duplicates).toBe(a.duplicates);
  return a;
};

describe('Timeline lines in silver', () => {
  it('a 2013 PushEvent: every column of events, payload_details and the observations', () => {
    const line = realLines(GHARCHIVE_FIXTURES.timeline.slice2013gz)[0]!;
    const out = both(joinLines([line]));
    const payload = JSON.stringify((JSON.parse(line.toString()) as { payload: unknown }).payload);
    const actorId = syntheticAccountId('kennethlarsen');
    // -1 - first 53 bits of sha256('ghlake-account-v1:kennethlarsen'), computed with python's hashlib
    expect(actorId).toBe(-5244799581860842);
    const [ev] = rowsOf(out.events);
    // -1 - first 63 bits of sha256 over the documented parts, computed with python's hashlib from the line's members
    expect({ ...ev, created_at: iso(ev!.created_at), hour_bucket: iso(ev!.hour_bucket) }).toEqual({
      event_id: -4562097853718163164n,
      event_hash: sha256(line),
      event_type: 'PushEvent',
      created_at: '2013-01-16T08:00:59.000Z', // "2013-01-16T00:00:59-08:00"
      actor_id: actorId,
      actor_id_source: 'synthetic',
      repo_id: 7445635,
      org_id: null,
      org_id_source: null,
      is_bot: false,
      public: true,
      hour_bucket: '2013-01-16T08:00:00.000Z',
      processed_at: 0,
    });
    const [d] = rowsOf(out.details);
    expect({ ...d, created_at: iso(d!.created_at) }).toEqual({
      event_id: -4562097853718163164n,
      event_type: 'PushEvent',
      payload_action: null,
      payload_issue_id: null,
      payload_pull_request_id: null,
      payload_comment_id: null,
      payload_push_size: 1,
      payload_ref: 'refs/heads/master',
      payload_ref_type: null,
      payload_head: '49e56b2d14b7b66d63374ca812fdafc8d482253e',
      payload_before: null,
      payload_size: Buffer.byteLength(payload),
      payload_distinct_size: null,
      payload_pull_request_merged: null,
      created_at: '2013-01-16T08:00:59.000Z',
    });
    const [a] = rowsOf(out.actors);
    expect({
      ...a,
      login_seen_at: iso(a!.login_seen_at),
      type_seen_at: iso(a!.type_seen_at),
      first_seen_at: iso(a!.first_seen_at),
      last_seen_at: iso(a!.last_seen_at),
    }).toEqual({
      actor_id: actorId,
      actor_login: 'kennethlarsen',
      actor_display_login: null,
      actor_url: null,
      avatar_url: null,
      gravatar_id: 'c7ba3357e0de9a03d3127f2316678e8f',
      login_seen_at: '2013-01-16T08:00:59.000Z',
      actor_type: 'User',
      actor_site_admin: null,
      type_seen_at: '2013-01-16T08:00:59.000Z',
      first_seen_at: '2013-01-16T08:00:59.000Z',
      last_seen_at: '2013-01-16T08:00:59.000Z',
    });
    const [r] = rowsOf(out.repositories);
    expect({
      ...r,
      created_at: iso(r!.created_at),
      name_seen_at: iso(r!.name_seen_at),
      details_seen_at: iso(r!.details_seen_at),
      first_seen_at: iso(r!.first_seen_at),
      last_seen_at: iso(r!.last_seen_at),
    }).toEqual({
      repo_id: 7445635,
      repo_name: 'kennethlarsen/podroulette',
      repo_url: 'https://github.com/kennethlarsen/podroulette',
      name_seen_at: '2013-01-16T08:00:59.000Z',
      owner_id: null,
      owner_login: 'kennethlarsen',
      is_fork: false,
      language: 'JavaScript',
      created_at: '2013-01-04T19:05:26.000Z', // "2013-01-04T11:05:26-08:00"
      updated_at: null,
      stars_count: 1,
      forks_count: 0,
      issues_count: 0,
      watchers_count: 1,
      size: 388,
      details_seen_at: '2013-01-16T08:00:59.000Z',
      first_seen_at: '2013-01-16T08:00:59.000Z',
      last_seen_at: '2013-01-16T08:00:59.000Z',
    });
    expect(out.organizations.rowCount).toBe(0);
  });

  it('2013 samples of every type: old payload shapes into payload_details, duplicates dropped, Follow and Gist without a repository', () => {
    const out = both(fileBytes(GHARCHIVE_FIXTURES.timeline.gh2013));
    expect(out.duplicates).toBe(2);
    const ev = rowsOf(out.events);
    const d = rowsOf(out.details);
    expect(ev.length).toBe(17);
    const byType = (type: string) => d.filter((r) => r.event_type === type);
    // {"number":2,"action":"opened","issue":9600986}: the integer issue is the issue's id
    expect(byType('IssuesEvent').map((r) => [r.payload_action, r.payload_issue_id])).toEqual([['opened', 9600986]]);
    // {"issue_id":9601460,"comment_id":11894342}
    expect(byType('IssueCommentEvent').map((r) => [r.payload_issue_id, r.payload_comment_id])).toEqual([[9601460, 11894342]]);
    expect(byType('CommitCommentEvent').map((r) => r.payload_comment_id)).toEqual([2370688]);
    expect(byType('CreateEvent').map((r) => [r.payload_ref, r.payload_ref_type])).toEqual([['master', 'branch']]);
    expect(byType('DeleteEvent').map((r) => [r.payload_ref, r.payload_ref_type])).toEqual([['cs_event_rmadmin', 'branch']]);
    expect(byType('PushEvent').map((r) => [r.payload_push_size, r.payload_distinct_size, r.payload_ref])).toEqual([[3, null, 'refs/heads/experiment']]);
    expect(byType('PullRequestEvent').map((r) => [r.payload_action, r.payload_pull_request_merged])).toEqual([
      ['closed', true],
      ['closed', true],
    ]);
    // PublicEvent has no payload member at all
    expect(byType('PublicEvent').map((r) => r.payload_size)).toEqual([null]);
    const types = (pred: (r: Record<string, unknown>) => boolean) =>
      ev
        .filter(pred)
        .map((r) => r.event_type)
        .sort();
    expect(types((r) => r.repo_id === null)).toEqual(['FollowEvent', 'GistEvent']);
    expect(types((r) => r.actor_id_source === 'resolved')).toEqual(['PullRequestEvent', 'PullRequestEvent']);
    expect(new Set(ev.map((r) => r.actor_id_source))).toEqual(new Set(['synthetic', 'resolved']));
    expect(ev.every((r) => (r.actor_id_source === 'synthetic') === (r.actor_id as number) < 0)).toBe(true);
    // tnm closed libgit2/rugged#152: the organization libgit2 is resolved from the pull request's base repository owner
    const rugged = ev.find((r) => r.repo_id === 901663)!;
    expect([rugged.org_id, rugged.org_id_source]).toEqual([394745, 'resolved']); // pull_request.base.repo.owner {login: libgit2, id: 394745}
  });

  it('the 2014 slice: 500 events, actor and organization id sources counted, observations per distinct entity', () => {
    const out = both(fileBytes(GHARCHIVE_FIXTURES.timeline.slice2014));
    const ev = rowsOf(out.events);
    const count = (key: string) => ev.reduce<Record<string, number>>((acc, r) => ((acc[String(r[key])] = (acc[String(r[key])] ?? 0) + 1), acc), {});
    // measured independently (python over the same lines): a payload user object carries the actor's login and id in 27
    // events; 27 more events are by logins the hour resolved in another event (re-keyed at the hour's end)
    expect(count('actor_id_source')).toEqual({ synthetic: 446, resolved: 54 });
    expect(count('org_id_source')).toEqual({ null: 390, synthetic: 93, resolved: 17 });
    expect(out.events.rowCount).toBe(500);
    expect(out.actors.rowCount).toBe(361);
    expect(out.organizations.rowCount).toBe(83);
    // every observed actor id is an id of the events, and every event's actor is observed
    expect(new Set(column(out.actors, 'actor_id'))).toEqual(new Set(column(out.events, 'actor_id')));
    expect(new Set(column(out.organizations, 'org_id'))).toEqual(new Set(column(out.events, 'org_id').filter((v) => v !== null)));
    expect(out.repositories.rowCount).toBe(382); // distinct repository.id (python)
    expect(new Set(column(out.events, 'hour_bucket').map(iso))).toEqual(new Set(['2014-06-01T08:00:00.000Z']));
  });

  it('re-keys at the end of the hour even when the hour spans several row groups: nothing is written before', async () => {
    const rows = new SilverEventRows(0, 100);
    const t = new HourTransform({ event: (ev) => void rows.add(ev, ev.duplicate), quarantine: () => undefined });
    t.push(fileBytes(GHARCHIVE_FIXTURES.timeline.slice2014));
    t.end();
    const written: { id: unknown; source: unknown }[] = [];
    const write = async (events: ColumnarBatch) => {
      const ids = column(events, 'actor_id');
      const sources = column(events, 'actor_id_source');
      ids.forEach((id, i) => written.push({ id, source: sources[i] }));
    };
    expect(await rows.drain(write)).toBe(0);
    expect(written).toHaveLength(0);
    expect(await rows.drain(write, true)).toBe(500);
    expect(written.filter((r) => r.source === 'resolved')).toHaveLength(54);
    expect(rows.rekeyed).toBe(27 + 9);
    expect(written.every((r) => (r.source === 'synthetic') === (r.id as number) < 0)).toBe(true);
  });

  it('2011 Events API payload shapes (ids as plain numbers, member as a login string, pushes without size)', () => {
    const out = both(fileBytes(GHARCHIVE_FIXTURES.timeline.gh2011));
    const ev = rowsOf(out.events);
    const d = rowsOf(out.details);
    // line 4's actor object has no id (a 2011 CreateEvent by an account gone): NULL id, NULL source
    expect(ev.map((r) => r.actor_id_source).filter((v) => v !== 'event')).toEqual([null]);
    expect(ev.find((r) => r.event_id === 1128246449)!.actor_id).toBeNull();
    const at = (id: number) => d.find((r) => r.event_id === id)!;
    // IssuesEvent {"number":3,"issue":594121,...}
    expect([at(1128246492).payload_action, at(1128246492).payload_issue_id]).toEqual(['opened', 594121]);
    // IssueCommentEvent {"issue_id":739022,"comment_id":975096,...}
    expect([at(1240078187).payload_issue_id, at(1240078187).payload_comment_id]).toEqual([739022, 975096]);
    // CommitCommentEvent {"comment_id":268918,...}
    expect(at(1127198352).payload_comment_id).toBe(268918);
    // PushEvent with `shas` and no `size`: NULL, never counted from shas
    expect([at(1263523355).payload_push_size, at(1263523355).payload_ref, at(1263523355).payload_head]).toEqual([
      null,
      'refs/heads/master',
      '5665ff6eefddd4169a287014f40b2d84078bf9b9',
    ]);
    // MemberEvent {"member":"jwiggins"}: a login string is not a user object; the actor is still observed
    expect(at(1127200212).payload_action).toBe('added');
    expect((column(out.actors, 'actor_id') as number[]).includes(267494)).toBe(true);
    const b = rowsOf(both(fileBytes(GHARCHIVE_FIXTURES.timeline.gh2011b)).details);
    expect(b.filter((r) => r.event_type === 'PushEvent').map((r) => r.payload_push_size)).toEqual([1, 1]);
  });

  it("re-keys an actor by a login the hour knows from another event's payload user object (a Follow's target)", () => {
    const lines = realLines(GHARCHIVE_FIXTURES.timeline.gh2013);
    const watch = lines.find((l) => l.includes('"type":"WatchEvent"'))!.toString();
    const follow = lines.find((l) => l.includes('"type":"FollowEvent"'))!; // target {"id":3,"login":"pjhyett",...}
    expect(follow.toString()).toContain('"target":{"id":3,"login":"pjhyett"');
    const byPjhyett = Buffer.from(watch.replace('"actor":"ledermann"', '"actor":"pjhyett"'));
    expect(byPjhyett.toString()).not.toBe(watch);
    // the watch comes first: its row is written with the synthetic id, then re-keyed at the hour's end
    const out = both(joinLines([byPjhyett, follow]));
    expect(rowsOf(out.events).map((r) => [r.event_type, r.actor_id, r.actor_id_source])).toEqual([
      ['WatchEvent', 3, 'resolved'],
      ['FollowEvent', syntheticAccountId('kelsonzhao'), 'synthetic'],
    ]);
    expect(rowsOf(out.actors).map((r) => [r.actor_id, r.actor_login])).toEqual([
      [syntheticAccountId('kelsonzhao'), 'kelsonzhao'],
      [3, 'pjhyett'],
    ]);
  });

  it('an anonymous Gist (actor null, no actor_attributes) is an event without an actor', () => {
    const gist = realLines(GHARCHIVE_FIXTURES.timeline.gh2013)
      .find((l) => l.includes('"type":"GistEvent"'))!
      .toString()
      .replace('"actor":"fxsapa"', '"actor":null')
      .replace(/,?"actor_attributes":\{[^}]*\}/, '');
    expect(gist).not.toContain('fxsapa');
    const out = both(joinLines([Buffer.from(gist)]));
    expect(rowsOf(out.events).map((r) => [r.event_type, r.actor_id, r.actor_id_source, r.is_bot, r.repo_id])).toEqual([['GistEvent', null, null, null, null]]);
    expect(out.actors.rowCount).toBe(0);
  });
});
