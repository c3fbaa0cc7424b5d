/**
 * `consolidateSilver`: publish the hours the transform staged, as silver commits.
 *
 *   1. finish what a killed run committed but did not publish (the journal), drop what it did not commit;
 *   2. take the staged hours in batches; per batch, ONE transaction of the state database:
 *      Timeline logins resolved across hours (login-ids.ts), cross-hour dedup (event-dedup.ts), the
 *      entity tables merged (entity-merge.ts), the change log for gold, and the journal of file moves;
 *   3. apply the journal: the batch's partitions, observation partitions and entity-table files move
 *      into place, the staged files go.
 *
 * Cost follows the batch: the staged folder, the index rows of the buckets the batch's events fall
 * into, the entity state rows of the ids it observed. Nothing walks the lake, except refolding the
 * ids of an hour redone with different observations (entity-merge.ts).
 */
import { crashPoint, ENTITY_RULES, ERROR_CODES, formatCount, GhlakeError, partitionFile, stagedPartitionFile, type HourKey, isFile } from '@ghlake/core';
import { SILVER_HEAD, SILVER_STATE_TABLES, inTransaction, openStateDb, readMeta, writeMeta, type OpenDuckDB } from '@ghlake/core/duckdb';
import { dedupBatch, type DedupResult } from './event-dedup.js';
import { mergeEntities, type EntityMergeResult } from './entity-merge.js';
import { dropLoginTables, learnLogins, rekeyPublishedHours, resolveBatchRows, type LoginResult } from './login-ids.js';
import { applyJournal, removeAbandonedCommits, writeJournal, type JournalEntry } from './journal.js';
import { rebuildSilver, type SilverRebuildResult } from './rebuild-silver.js';
import { hasPublishedSilver, recordSilverHead, stagedHours } from './staged-hours.js';

export interface SilverConsolidationConfig {
  lake: string;
  /** DuckDB memory limit in bytes (spills past it to `<lake>/_tmp/duckdb`). */
  memoryLimit: number;
  threads: number;
  /** Hours per commit (default 24): bounds a commit's memory and work. */
  batchHours?: number;
  signal?: AbortSignal;
}

export interface SilverCommitResult {
  seq: number;
  hours: HourKey[];
  events: DedupResult;
  /** Timeline logins resolved across hours (login-ids.ts). */
  logins: LoginResult;
  entities: EntityMergeResult[];
  ms: number;
}

export interface SilverConsolidationResult {
  /** The silver head after consolidation (0: nothing ever committed). */
  head: number;
  /** The lake had silver published by an earlier ghlake and no incremental state: it was rebuilt first. */
  migrated?: SilverRebuildResult;
  commits: SilverCommitResult[];
  /** Staged hours left out because a table of theirs is missing (a transform cut short). */
  incomplete: HourKey[];
  /** Journal entries of an earlier, interrupted commit applied first. */
  recovered: number;
}

function interrupted(): GhlakeError {
  return new GhlakeError(ERROR_CODES.INTERRUPTED, 'silver consolidation interrupted', { hint: 'run it again: committed batches stay, the rest is redone' });
}

/** One silver commit of `hours` (all staged and ready). */
async function commitBatch(db: OpenDuckDB, lake: string, hours: HourKey[]): Promise<SilverCommitResult> {
  const started = performance.now();
  const seq = ((await readMeta(db, SILVER_HEAD)) ?? 0) + 1;
  const published = new Set<HourKey>();
  for (const hour of hours) if (await isFile(partitionFile(lake, 'silver', ENTITY_RULES[0].observations.name, hour))) published.add(hour);
  const result = await inTransaction(db, async () => {
    const journal: JournalEntry[] = [];
    // Timeline logins: the batch's evidence first, so its own rows and the published hours get the lake's ids.
    // (An Events API batch only teaches: no row of it or of a published hour changes unless a login
    // it taught is carried synthetic somewhere in the lake.)
    let loginMs = performance.now();
    const learned = await learnLogins(db, lake, hours);
    loginMs = performance.now() - loginMs;
    let resolved = 0;
    const dedup = await dedupBatch(db, lake, seq, hours, async () => {
      if (learned.uses === 0) return new Set<number>();
      const t0 = performance.now();
      const r = await resolveBatchRows(db);
      loginMs += performance.now() - t0;
      resolved = r.rows;
      return r.hours;
    });
    journal.push(...dedup.journal);
    const t0 = performance.now();
    const rekeyedHours = learned.accounts > 0 ? await rekeyPublishedHours(db, lake, seq, hours, journal) : [];
    loginMs += performance.now() - t0;
    const changed = learned.changed;
    const entities: EntityMergeResult[] = [];
    for (const rule of ENTITY_RULES) {
      const merged = await mergeEntities(db, lake, seq, rule, hours, published);
      entities.push(merged.result);
      journal.push(...merged.journal);
    }
    await dropLoginTables(db);
    for (const hour of hours) {
      for (const rule of ENTITY_RULES) {
        journal.push({
          op: 'move',
          src: stagedPartitionFile(lake, rule.observations.name, hour),
          dst: partitionFile(lake, 'silver', rule.observations.name, hour),
        });
      }
    }
    await writeJournal(db, seq, journal);
    await writeMeta(db, SILVER_HEAD, seq);
    crashPoint('silver:before-commit');
    return { events: dedup.result, logins: { changed, resolved, rekeyedHours, ms: Math.round(loginMs) }, entities };
  });
  crashPoint('silver:committed');
  await applyJournal(db, lake);
  return { seq, hours, ...result, ms: Math.round(performance.now() - started) };
}

/** Publish every staged hour. Cost: the staged hours, not the lake. */
export async function consolidateSilver(config: SilverConsolidationConfig, db?: OpenDuckDB): Promise<SilverConsolidationResult> {
  const own = db === undefined;
  const state = db ?? (await openStateDb(config.lake, { memoryLimit: config.memoryLimit, threads: config.threads }, SILVER_STATE_TABLES));
  try {
    if (!own) for (const t of SILVER_STATE_TABLES) await state.connection.run(`CREATE TABLE IF NOT EXISTS ${t.name} (${t.columns})`);
    const recovered = await applyJournal(state, config.lake);
    await removeAbandonedCommits(state, config.lake);
    // A lake whose silver an earlier ghlake published (no state yet): the state is made from it once.
    const migrated =
      (await readMeta(state, SILVER_HEAD)) === undefined && (await hasPublishedSilver(config.lake)) ? await rebuildSilver(config, state) : undefined;
    const { ready, incomplete } = await stagedHours(config.lake);
    const batchHours = Math.max(1, config.batchHours ?? 24);
    const commits: SilverCommitResult[] = [];
    for (let i = 0; i < ready.length; i += batchHours) {
      if (config.signal?.aborted) throw interrupted();
      commits.push(await commitBatch(state, config.lake, ready.slice(i, i + batchHours)));
    }
    const head = (await readMeta(state, SILVER_HEAD)) ?? 0;
    if (commits.length || recovered) await recordSilverHead(state, config.lake, head);
    return { head, ...(migrated ? { migrated } : {}), commits, incomplete, recovered };
  } finally {
    if (own) state.close();
  }
}

/**
 * The hours whose silver files a consolidation published or rewrote (`all`: it rebuilt silver):
 * what the manifest fingerprints again, now that they are final.
 */
export function silverHoursWritten(r: SilverConsolidationResult): HourKey[] | 'all' {
  if (r.migrated) return 'all';
  return [...new Set(r.commits.flatMap((c) => [...c.hours, ...c.events.rewrittenHours, ...c.logins.rekeyedHours]))];
}

/** What a consolidation did, in a few lines for a terminal. */
export function silverSummary(r: SilverConsolidationResult): string[] {
  const hours = r.commits.reduce((k, c) => k + c.hours.length, 0);
  const published = r.commits.reduce((k, c) => k + c.events.published, 0);
  const setAside = r.commits.reduce((k, c) => k + c.events.setAside, 0);
  return [
    ...(r.migrated ? [`silver state made from the lake's existing silver: ${formatCount(r.migrated.events)} distinct events (commit ${r.migrated.head})`] : []),
    hours === 0
      ? `silver is current (commit ${r.head}): no transformed hour waits to be published`
      : `silver published ${hours} hour${hours === 1 ? '' : 's'} in ${r.commits.length} commit${r.commits.length === 1 ? '' : 's'} (head ${r.head}): ${formatCount(published)} distinct events, ${formatCount(setAside)} cop${setAside === 1 ? 'y' : 'ies'} kept by an earlier hour set aside`,
    ...(() => {
      const resolved = r.commits.reduce((k, c) => k + c.logins.resolved, 0);
      const rekeyed = new Set(r.commits.flatMap((c) => c.logins.rekeyedHours)).size;
      if (resolved === 0 && rekeyed === 0) return [];
      return [
        `Timeline logins resolved across hours: ${formatCount(resolved)} new row${resolved === 1 ? '' : 's'} given the lake's id, ${rekeyed} published hour${rekeyed === 1 ? '' : 's'} re-keyed`,
      ];
    })(),
    ...(r.incomplete.length ? [`left out (a staged table is missing; transform them again): ${r.incomplete.join(', ')}`] : []),
  ];
}
