/**
 * Silver rules on real events: is_bot, payload_details across eras (incl. the October 2025
 * trimming), observations from payload user/repository objects, dedup.
 */
import { describe, expect, it } from 'vitest';
import { valueAt, type ColumnarBatch } from '@ghlake/core';
import { HourTransform, transformHourBytes } from '@ghlake/bronze';
import { HourObservations, isBot, SilverEventRows } from '../src/index.js';
import { fileBytes, GHARCHIVE_FIXTURES, hour15Lines, joinLines } from '../../bronze/test/real-lines.js';
import { bronzeRowView } from './bronze-row-view.js';

/** Each event as its own view (read back from its member bytes, as silver-from-bronze does) with its parsed JSON beside it. */
const parse = (bytes: Buffer) =>
  transformHourBytes(bytes).events.map((s) => {
    const text = (b: Buffer | null) => (b === null ? null : b.toString());
    const view = bronzeRowView(s);
    const json = {
      actor: JSON.parse(text(s.actor) ?? 'null'),
      repo: JSON.parse(text(s.repo) ?? 'null'),
      payload: JSON.parse(text(s.payload) ?? 'null'),
    } as any;
    return Object.assign(view, { json });
  });
const column = (batch: ColumnarBatch, name: string) =>
  Array.from({ length: batch.rowCount }, (_, i) => {
    const v = valueAt(batch.columns[name]!, i);
    return v instanceof Uint8Array ? Buffer.from(v).toString() : v;
  });

describe('is_bot', () => {
  it('is true for [bot] apps and bot/robot words at either end, false for look-alikes, NULL without an actor', () => {
    const bots = ['dependabot[bot]', 'renovate-bot', 'k8s-ci-robot', 'bot-ci', 'Robot_Deploy', 'my.bot', 'BOT'];
    const humans = ['my-bottle', 'abbot', 'robotframework', 'botany', 'petroav', 'chatbotx'];
    expect(bots.map(isBot)).toEqual(bots.map(() => true));
    expect(humans.map(isBot)).toEqual(humans.map(() => false));
    expect(isBot(null)).toBeNull();
  });
});

describe('payload_details', () => {
  it('reads ids, refs and sizes wherever the payload carries them (2015 lines)', () => {
    const lines = hour15Lines();
    const rows = new SilverEventRows(0);
    for (const e of parse(joinLines(lines.slice(0, 40)))) rows.add(e);
    const { details } = rows.take();
    const byType = (type: string) => column(details, 'event_type').findIndex((t) => t === type);
    const push = byType('PushEvent');
    const pushPayload = JSON.parse(lines[push]!.toString()).payload;
    expect([
      column(details, 'payload_push_size')[push],
      column(details, 'payload_distinct_size')[push],
      column(details, 'payload_head')[push],
      column(details, 'payload_before')[push],
      column(details, 'payload_ref')[push],
    ]).toEqual([pushPayload.size, pushPayload.distinct_size, pushPayload.head, pushPayload.before, pushPayload.ref]);
    const create = byType('CreateEvent');
    expect([column(details, 'payload_ref')[create], column(details, 'payload_ref_type')[create], column(details, 'payload_push_size')[create]]).toEqual([
      'master',
      'branch',
      null,
    ]);
    const pr = byType('PullRequestEvent');
    const prPayload = JSON.parse(lines[pr]!.toString()).payload;
    expect([column(details, 'payload_pull_request_id')[pr], column(details, 'payload_action')[pr], column(details, 'payload_issue_id')[pr]]).toEqual([
      prPayload.pull_request.id,
      prPayload.action,
      null,
    ]);
    // payload_size is the payload text's UTF-8 byte length (line 3 holds non-ASCII text)
    const sizes = column(details, 'payload_size');
    lines.slice(0, 40).forEach((line, i) => {
      const text = line.toString();
      const start = text.indexOf('"payload":') + 10;
      const end = text.lastIndexOf(',"public":');
      expect(sizes[i]).toBe(Buffer.byteLength(text.slice(start, end)));
    });
  });

  it('leaves push sizes NULL after the October 2025 trimming, and keeps them before it', () => {
    const rows = new SilverEventRows(0);
    for (const e of parse(fileBytes(GHARCHIVE_FIXTURES.pushBeforeAfter))) rows.add(e);
    const { details } = rows.take();
    expect(column(details, 'event_id')).toEqual([6725093205, 38549213316]);
    expect(column(details, 'payload_push_size')).toEqual([null, 1]);
    expect(column(details, 'payload_distinct_size')).toEqual([null, 1]);
    const heads = fileBytes(GHARCHIVE_FIXTURES.pushBeforeAfter)
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).payload.head);
    expect(column(details, 'payload_head')).toEqual(heads);
    expect(heads[0]).toBe('59ca5f2be76f50eda943dd591e785311b9709e75');
    const trimmed = new SilverEventRows(0);
    for (const e of parse(fileBytes(GHARCHIVE_FIXTURES.trimmedPayloads))) trimmed.add(e);
    const t = trimmed.take().details;
    const pushes = column(t, 'event_type')
      .map((type, i) => (type === 'PushEvent' ? i : -1))
      .filter((i) => i >= 0);
    expect(pushes.length).toBeGreaterThan(1);
    // the 2026 pushes are trimmed (NULL); the 2025-09 push still has its sizes
    const sizes = pushes.map((i) => [column(t, 'event_id')[i], column(t, 'payload_push_size')[i]]);
    expect(sizes.filter(([, s]) => s !== null).map(([id]) => id)).toEqual([54715645747]);
  });
});

describe('payload_pull_request_merged', () => {
  it('is payload.pull_request.merged on every line of a real hour, NULL where the payload has no merged flag', () => {
    const lines = hour15Lines();
    const rows = new SilverEventRows(0);
    for (const e of parse(joinLines(lines))) rows.add(e);
    const merged = column(rows.take().details, 'payload_pull_request_merged');
    const expected = lines.map((line) => {
      const value = JSON.parse(line.toString()).payload?.pull_request?.merged;
      return typeof value === 'boolean' ? value : null;
    });
    expect(merged).toEqual(expected);
    // 2015-01-01-15: 474 PullRequestEvents (175 closed and merged, 50 closed unmerged, 241 opened, 8 reopened);
    // the 136 PullRequestReviewCommentEvents carry a pull_request object without `merged`
    const count = (v: boolean | null) => merged.filter((m) => m === v).length;
    expect([count(true), count(false), count(null)]).toEqual([175, 299, lines.length - 474]);
  });

  it('is NULL for a pull request trimmed the way GitHub trims them since October 2025 (url, id, number, head, base)', () => {
    const line = hour15Lines().find((l) => l.includes('"type":"PullRequestEvent"') && l.includes('"merged":true'))!;
    const event = JSON.parse(line.toString());
    const { url, id, number, head, base } = event.payload.pull_request;
    event.payload.pull_request = { url, id, number, head: { ref: head.ref, sha: head.sha }, base: { ref: base.ref, sha: base.sha } };
    const rows = new SilverEventRows(0);
    for (const e of parse(joinLines([line, Buffer.from(JSON.stringify(event).replace(`"id":"${event.id}"`, `"id":"${Number(event.id) + 1}"`))]))) rows.add(e);
    const { details } = rows.take();
    expect(column(details, 'payload_pull_request_merged')).toEqual([true, null]);
    expect(column(details, 'payload_pull_request_id')).toEqual([id, id]);
  });
});

describe('dedup within the hour', () => {
  it('keeps the first occurrence in line order of each (event_id, event_type, created_at)', () => {
    const [l0, l1, l2] = hour15Lines();
    const l0again = Buffer.from(l0!.toString().replace('"pusher_type":"user"', '"pusher_type":"user" '));
    const events = parse(joinLines([l0!, l1!, l0again, l2!, l1!]));
    const rows = new SilverEventRows(0);
    expect(events.map((e) => rows.add(e))).toEqual([true, true, false, true, false]);
    expect(rows.duplicates).toBe(2);
    expect(column(rows.take().events, 'event_hash')).toEqual([events[0]!.hash, events[1]!.hash, events[3]!.hash]);
  });
});

describe('observations', () => {
  it("fills actor type and site_admin only from payload user objects carrying the actor's id", () => {
    const lines = hour15Lines()
      .filter((l) => l.includes('"type":"PullRequestEvent"'))
      .slice(0, 30);
    const obs = new HourObservations();
    const events = parse(joinLines(lines));
    for (const e of events) obs.add(e);
    const actors = obs.batches().actors;
    const ids = column(actors, 'actor_id') as number[];
    let checked = 0;
    for (const e of events) {
      const pr = (e.json.payload as { pull_request: { user: { id: number; type: string; site_admin: boolean } } }).pull_request;
      const i = ids.indexOf(e.json.actor.id as number);
      if (pr.user.id === e.json.actor.id) {
        expect([column(actors, 'actor_type')[i], column(actors, 'actor_site_admin')[i]]).toEqual([pr.user.type, pr.user.site_admin]);
        // seen at the latest such event of the actor in the hour
        expect(column(actors, 'type_seen_at')[i]).toBeGreaterThanOrEqual(e.createdAtMs);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
    // an actor whose events carry no user object of theirs has NULL type: never invented
    const push = parse(joinLines(hour15Lines().slice(1, 2)));
    const o2 = new HourObservations();
    o2.add(push[0]!);
    expect(column(o2.batches().actors, 'actor_type')).toEqual([null]);
    expect(column(o2.batches().actors, 'type_seen_at')).toEqual([null]);
  });

  it('keeps the latest value of every text attribute whatever its length or escapes, bytes exactly as decoded', () => {
    // Entity records keep short unescaped strings as bytes and the rest as decoded strings: mix both across events.
    const long = `owner/${'r'.repeat(150)}`;
    const line = (second: number, login: string, name: string, avatar: string | null) =>
      JSON.stringify({
        id: String(100 + second),
        type: 'WatchEvent',
        actor: { id: 7, login, display_login: login, url: `https://api.github.com/users/${login}`, ...(avatar === null ? {} : { avatar_url: avatar }) },
        repo: { id: 9, name, url: `https://api.github.com/repos/${name}` },
        payload: { action: 'started' },
        public: true,
        created_at: `2024-01-01T00:00:0${second}Z`,
      });
    const escaped = (l: string) => l.replace('"login":"zoë"', '"login":"zo\\u00eb"');
    const events = parse(
      joinLines(
        [
          line(2, 'zoë', long, 'https://avatars.githubusercontent.com/u/7?v=4'),
          line(1, 'older', 'owner/old', 'https://example.com/old'), // earlier created_at: wins nothing
          escaped(line(3, 'zoë', 'owner/short', null)), // latest: escaped login, short name, no avatar
        ].map((l) => Buffer.from(l)),
      ),
    );
    const obs = new HourObservations();
    for (const e of events) obs.add(e);
    const { actors, repositories } = obs.batches();
    expect(['actor_login', 'actor_display_login', 'actor_url', 'avatar_url', 'login_seen_at'].map((c) => column(actors, c))).toEqual([
      ['zoë'],
      ['zoë'],
      ['https://api.github.com/users/zoë'],
      ['https://avatars.githubusercontent.com/u/7?v=4'], // NULL in the latest event: the latest non-NULL value stays
      [Date.parse('2024-01-01T00:00:03Z')],
    ]);
    expect([column(repositories, 'repo_name'), column(repositories, 'repo_url')]).toEqual([['owner/short'], ['https://api.github.com/repos/owner/short']]);

    // The long name as the latest value (kept outside the record), after a short one.
    const o2 = new HourObservations();
    for (const e of parse(joinLines([line(1, 'a', 'owner/short', null), line(2, 'b', long, null)].map((l) => Buffer.from(l))))) o2.add(e);
    expect([column(o2.batches().repositories, 'repo_name'), column(o2.batches().actors, 'actor_login')]).toEqual([[long], ['b']]);
  });

  it('takes repository details from payload repository objects of the same id, and a forkee as its own repository', () => {
    const fork = hour15Lines().find((l) => l.includes('"type":"ForkEvent"'))!;
    const [e] = parse(joinLines([fork]));
    const obs = new HourObservations();
    obs.add(e!);
    const repos = obs.batches().repositories;
    const forkee = (e!.json.payload as { forkee: Record<string, unknown> & { owner: { id: number; login: string } } }).forkee;
    expect(column(repos, 'repo_id')).toEqual([e!.json.repo.id, forkee.id].sort((a, b) => (a as number) - (b as number)));
    const i = (column(repos, 'repo_id') as number[]).indexOf(forkee.id as number);
    const j = 1 - i;
    expect([
      column(repos, 'repo_name')[i],
      column(repos, 'owner_id')[i],
      column(repos, 'owner_login')[i],
      column(repos, 'is_fork')[i],
      column(repos, 'stars_count')[i],
      column(repos, 'created_at')[i],
    ]).toEqual([forkee.full_name, forkee.owner.id, forkee.owner.login, forkee.fork, forkee.stargazers_count, Date.parse(forkee.created_at as string)]);
    // the forked repository itself: name from `repo`, no details in a ForkEvent
    expect([column(repos, 'repo_name')[j], column(repos, 'owner_id')[j], column(repos, 'details_seen_at')[j]]).toEqual([e!.json.repo.name, null, null]);
  });
});

describe('is_bot from the login bytes', () => {
  it('agrees with isBot on tricky logins, escaped and non-ASCII ones included', () => {
    const logins = [
      'dependabot[bot]',
      'X[BOT]',
      'renovate-bot',
      'k8s-ci-robot',
      'bot-ci',
      'Robot_Deploy',
      'my.bot',
      'BOT',
      'robot',
      'bot',
      'bo',
      '-bot',
      'bot-',
      'botbot',
      'robotbot',
      'abbot',
      'my-bottle',
      'robotframework',
      'chatbotx',
      'é-bot',
      'bot-é',
      'ßbot',
      'a\\u002dbot',
      '\\u0062ot',
      'x.robot',
      'xrobot',
      '[bot]',
      'bot]',
    ];
    const lines = logins.map(
      (login, i) => `{"id":"${i + 1}","type":"WatchEvent","actor":{"id":${i + 1},"login":"${login}"},"created_at":"2015-01-01T15:00:00Z"}`,
    );
    const rows = new SilverEventRows(0);
    const transform = new HourTransform({ event: (ev) => rows.add(ev, ev.duplicate), quarantine: () => undefined });
    transform.push(Buffer.from(`${lines.join('\n')}\n`));
    transform.end();
    const expected = logins.map((l) => isBot(JSON.parse(`"${l}"`) as string));
    expect(column(rows.take().events, 'is_bot')).toEqual(expected);
    expect(expected.filter(Boolean).length).toBe(18);
  });
});
