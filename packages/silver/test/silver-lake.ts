/**
 * Test lakes from hand-written rows: silver partitions are written with core's writeTableFile
 * (the same writer the hour transform uses), read back with DuckDB. `staged: true` writes them
 * where the transform does (`_state/staged/`), for silver consolidation to publish; otherwise they
 * are written straight into the published partitions (a lake built by an earlier version, or the
 * reference a full rebuild starts from).
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { expect } from 'vitest';
import {
  SILVER_OBSERVATION_TABLES,
  createPool,
  parseHour,
  partitionFile,
  stagedPartitionFile,
  silverActorObservations,
  silverEvents,
  silverOrganizationObservations,
  silverPayloadDetails,
  silverRepositoryObservations,
  writeTableFile,
  type TableDecl,
} from '@ghlake/core';

export async function tempLake(prefix = 'ghlake-gold-'): Promise<{ lake: string; cleanup: () => Promise<void> }> {
  const lake = await mkdtemp(path.join(tmpdir(), prefix));
  return { lake, cleanup: () => rm(lake, { recursive: true, force: true }) };
}

/** Real hour files (`<rawDir>/<hour>.json.gz`) made bronze and staged silver by the real fused transform; each must come out ok. */
export async function transformRealHours(lake: string, rawDir: string, hours: readonly string[]): Promise<void> {
  const { transformHours } = await import('../src/index.js');
  const pool = createPool({ threads: 2 });
  try {
    const outcomes = await transformHours(pool, { lake, rawDir }, hours.map(parseHour));
    expect(outcomes.map((o) => [o.hour, o.status])).toEqual(hours.map((h) => [h, 'ok']));
  } finally {
    await pool.destroy();
  }
}

/** A staged source hour's silver copied as another hour's: the same events filed in two hour files. */
export async function fileSilverHourAgain(lake: string, from: string, to: string): Promise<void> {
  for (const table of [silverEvents, silverPayloadDetails, ...SILVER_OBSERVATION_TABLES]) {
    const target = stagedPartitionFile(lake, table.name, parseHour(to));
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(stagedPartitionFile(lake, table.name, parseHour(from)), target);
  }
}

/** `2015-01-01T15:04:05Z` → epoch ms (the writer's TIMESTAMP convention). */
export const ms = (iso: string): number => Date.parse(iso.endsWith('Z') ? iso : `${iso}Z`);

export interface EventSpec {
  id: number;
  type?: string;
  at: string;
  actor?: number | null;
  repo?: number | null;
  org?: number | null;
  bot?: boolean | null;
  /** payload_action (default NULL). */
  action?: string | null;
  /** payload_pull_request_merged (default NULL). */
  merged?: boolean | null;
  /** actor_id_source / org_id_source (default NULL). */
  actorSource?: string;
  orgSource?: string;
}

export function eventRow(e: EventSpec): Record<string, unknown> {
  const created = ms(e.at);
  return {
    event_id: e.id,
    event_hash: `hash-${e.id}`,
    event_type: e.type ?? 'PushEvent',
    created_at: created,
    actor_id: e.actor === undefined ? 1 : e.actor,
    repo_id: e.repo === undefined ? 100 : e.repo,
    org_id: e.org ?? null,
    actor_id_source: e.actorSource ?? null,
    org_id_source: e.orgSource ?? null,
    is_bot: e.bot === undefined ? (e.actor === null ? null : false) : e.bot,
    public: true,
    hour_bucket: Math.floor(created / 3_600_000) * 3_600_000,
    processed_at: ms('2026-01-01T00:00:00Z'),
  };
}

export function payloadRow(e: EventSpec): Record<string, unknown> {
  return {
    event_id: e.id,
    event_type: e.type ?? 'PushEvent',
    payload_action: e.action ?? null,
    payload_issue_id: null,
    payload_pull_request_id: null,
    payload_comment_id: null,
    payload_push_size: 1,
    payload_ref: 'refs/heads/main',
    payload_ref_type: null,
    payload_head: `head-${e.id}`,
    payload_before: `before-${e.id}`,
    payload_size: 42,
    payload_distinct_size: 1,
    payload_pull_request_merged: e.merged ?? null,
    created_at: ms(e.at),
  };
}

function columnar(table: TableDecl, rows: Record<string, unknown>[]) {
  const columns: Record<string, unknown[]> = {};
  for (const c of table.columns) columns[c.name] = rows.map((r) => (r[c.name] === undefined ? null : r[c.name]));
  return { rowCount: rows.length, columns };
}

export interface WriteOptions {
  /** Write where the transform stages an hour (default: the published partition). */
  staged?: boolean;
}

export async function writePartition(
  lake: string,
  table: TableDecl,
  hour: string,
  rows: Record<string, unknown>[],
  options: WriteOptions = {},
): Promise<string> {
  const file = options.staged ? stagedPartitionFile(lake, table.name, parseHour(hour)) : partitionFile(lake, 'silver', table.name, parseHour(hour));
  await writeTableFile(table, file, columnar(table, rows));
  return file;
}

export interface HourSpec {
  events?: EventSpec[];
  actors?: Record<string, unknown>[];
  repositories?: Record<string, unknown>[];
  organizations?: Record<string, unknown>[];
}

/** Write one source hour of silver: events + payload_details (same rows) and observations. */
export async function writeSilverHour(lake: string, hour: string, spec: HourSpec, options: WriteOptions = {}): Promise<void> {
  const events = spec.events ?? [];
  await writePartition(lake, silverEvents, hour, events.map(eventRow), options);
  await writePartition(lake, silverPayloadDetails, hour, events.map(payloadRow), options);
  await writePartition(lake, silverActorObservations, hour, spec.actors ?? [], options);
  await writePartition(lake, silverRepositoryObservations, hour, spec.repositories ?? [], options);
  await writePartition(lake, silverOrganizationObservations, hour, spec.organizations ?? [], options);
}

/** An actor observation with every column (NULL unless given). */
export function actorObs(o: {
  id: number;
  login?: string | null;
  seen: string;
  first?: string;
  last?: string;
  type?: string | null;
  typeSeen?: string | null;
  siteAdmin?: boolean | null;
  display?: string | null;
}) {
  return {
    actor_id: o.id,
    actor_login: o.login ?? null,
    actor_display_login: o.display === undefined ? (o.login ?? null) : o.display,
    actor_url: o.login ? `https://api.github.com/users/${o.login}` : null,
    avatar_url: o.login ? `https://avatars.githubusercontent.com/u/${o.id}?` : null,
    gravatar_id: o.login ? '' : null,
    login_seen_at: ms(o.seen),
    actor_type: o.type ?? null,
    actor_site_admin: o.siteAdmin ?? null,
    type_seen_at: o.typeSeen ? ms(o.typeSeen) : null,
    first_seen_at: ms(o.first ?? o.seen),
    last_seen_at: ms(o.last ?? o.seen),
  };
}

export function repoObs(o: {
  id: number;
  name?: string | null;
  nameSeen?: string | null;
  first: string;
  last?: string;
  details?: { owner: number; ownerLogin: string; fork: boolean; language: string | null; stars: number; seen: string; size?: number };
}) {
  return {
    repo_id: o.id,
    repo_name: o.name ?? null,
    repo_url: o.name ? `https://api.github.com/repos/${o.name}` : null,
    name_seen_at: o.nameSeen ? ms(o.nameSeen) : null,
    owner_id: o.details?.owner ?? null,
    owner_login: o.details?.ownerLogin ?? null,
    is_fork: o.details?.fork ?? null,
    language: o.details?.language ?? null,
    created_at: o.details ? ms('2014-01-01T00:00:00Z') : null,
    updated_at: o.details ? ms(o.details.seen) : null,
    stars_count: o.details?.stars ?? null,
    forks_count: o.details ? 0 : null,
    issues_count: o.details ? 0 : null,
    watchers_count: o.details?.stars ?? null,
    size: o.details?.size ?? (o.details ? 10 : null),
    details_seen_at: o.details ? ms(o.details.seen) : null,
    first_seen_at: ms(o.first),
    last_seen_at: ms(o.last ?? o.first),
  };
}

export function orgObs(o: { id: number; login: string; seen: string; first?: string; last?: string }) {
  return {
    org_id: o.id,
    org_login: o.login,
    org_url: `https://api.github.com/orgs/${o.login}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${o.id}?`,
    login_seen_at: ms(o.seen),
    first_seen_at: ms(o.first ?? o.seen),
    last_seen_at: ms(o.last ?? o.seen),
  };
}

/** Run SQL in a throwaway DuckDB and return JS rows (BIGINT → number for readable assertions). */
export async function sql(query: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(query);
    return (reader.getRowObjectsJS() as Record<string, unknown>[]).map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Rows of a Parquet file or glob, ordered. */
export const readParquetRows = (fileOrGlob: string, orderBy: string, columns = '*'): Promise<Record<string, unknown>[]> =>
  sql(`SELECT ${columns} FROM read_parquet('${fileOrGlob}') ORDER BY ${orderBy}`);

/** `YYYY-MM-DD HH:MM:SS` of a TIMESTAMP read back as a Date. */
export const iso = (d: unknown): string => (d instanceof Date ? d.toISOString().replace('.000Z', 'Z') : String(d));

export const TEST_SETTINGS = { memoryLimit: 512_000_000, threads: 2 } as const;

export const TWELVE_HOURS = Array.from({ length: 12 }, (_, h) => `2024-03-10-${h}`);

/**
 * Twelve hours of 30 events each; the last 4 events of every hour are also filed in the next
 * hour's file (as the archive does), so hours 1–11 each start with 4 duplicates.
 */
export function twelveHours(): Record<string, HourSpec> {
  const own: EventSpec[][] = TWELVE_HOURS.map((_, h) =>
    Array.from({ length: 30 }, (_, i) => {
      const n = h * 30 + i;
      const minute = String(Math.floor((i * 60) / 30)).padStart(2, '0');
      return {
        id: 40_000_000_000 + n,
        type: ['PushEvent', 'WatchEvent', 'IssuesEvent', 'CreateEvent'][n % 4]!,
        at: `2024-03-10T${String(h).padStart(2, '0')}:${minute}:${String(n % 60).padStart(2, '0')}`,
        actor: n % 7 === 0 ? null : 1 + ((n * 5) % 13),
        repo: n % 11 === 0 ? null : 100 + ((n * 3) % 9),
        org: n % 3 === 0 ? 500 + (n % 2) : null,
        bot: n % 7 === 0 ? null : (n * 5) % 13 === 12,
      };
    }),
  );
  const out: Record<string, HourSpec> = {};
  TWELVE_HOURS.forEach((hour, h) => {
    const events = [...(h > 0 ? own[h - 1]!.slice(-4) : []), ...own[h]!];
    const seen = (pick: (e: EventSpec) => number | null | undefined) => {
      const by = new Map<number, { first: string; last: string }>();
      for (const e of events) {
        const id = pick(e);
        if (id === null || id === undefined) continue;
        const cur = by.get(id);
        by.set(id, { first: cur && cur.first < e.at ? cur.first : e.at, last: cur && cur.last > e.at ? cur.last : e.at });
      }
      return [...by.entries()];
    };
    out[hour] = {
      events,
      actors: seen((e) => e.actor).map(([id, s]) =>
        actorObs({
          id,
          login: `user${id}-h${h % 4}`,
          seen: s.last,
          first: s.first,
          last: s.last,
          type: id % 2 ? 'User' : null,
          typeSeen: id % 2 ? s.last : null,
          siteAdmin: id % 2 ? false : null,
        }),
      ),
      repositories: seen((e) => e.repo).map(([id, s]) =>
        repoObs({
          id,
          name: `org/repo${id}-h${h % 5}`,
          nameSeen: s.last,
          first: s.first,
          last: s.last,
          ...(h % 3 === 0 ? { details: { owner: 1, ownerLogin: 'org', fork: false, language: 'Rust', stars: h, seen: s.last } } : {}),
        }),
      ),
      organizations: seen((e) => e.org).map(([id, s]) => orgObs({ id, login: `org${id}-h${h % 2}`, seen: s.last, first: s.first, last: s.last })),
    };
  });
  return out;
}

/** Publish what is staged (silver commits), as `ghlake run` does before gold. */
export async function publishSilver(lake: string): Promise<void> {
  const { consolidateSilver } = await import('../src/consolidate/index.js');
  await consolidateSilver({ lake, ...TEST_SETTINGS });
}
