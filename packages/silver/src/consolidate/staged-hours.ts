/**
 * The hours the transform staged (`<lake>/_state/staged/<table>/date=/hour=/`), waiting for a
 * silver commit, and the lake-level facts silver records for readers.
 */
import path from 'node:path';
import {
  ENTITY_RULES,
  compareHours,
  hourFromPartitionPath,
  silverEvents,
  silverPayloadDetails,
  stagedPartitionFile,
  stagedTableDir,
  tableDir,
  writeHeads,
  type HourKey,
  type TableDecl,
  isFile,
  listDir,
} from '@ghlake/core';
import { EVENT_COPIES, SET_ASIDE_EVENTS, SOURCE_HOURS, queryNumber, type OpenDuckDB } from '@ghlake/core/duckdb';

/** Every table the transform stages per hour: an hour is ready when all of them are there. */
export const STAGED_TABLES: readonly TableDecl[] = [silverEvents, silverPayloadDetails, ...ENTITY_RULES.map((r) => r.observations)];

/** Does the lake hold published silver (events partitions, or an entity table)? One folder listing each. */
export async function hasPublishedSilver(lake: string): Promise<boolean> {
  if ((await listDir(tableDir(lake, 'silver', silverEvents.name))).some((n) => n.startsWith('date='))) return true;
  for (const rule of ENTITY_RULES) if ((await listDir(tableDir(lake, 'silver', rule.entity.name))).some((n) => n.endsWith('.parquet'))) return true;
  return false;
}

/** Hours with staged silver: complete ones, oldest first, and incomplete ones. */
export async function stagedHours(lake: string): Promise<{ ready: HourKey[]; incomplete: HourKey[] }> {
  const found = new Set<HourKey>();
  for (const table of STAGED_TABLES) {
    const root = stagedTableDir(lake, table.name);
    for (const dateDir of await listDir(root)) {
      for (const hourDir of await listDir(path.join(root, dateDir))) {
        const hour = hourFromPartitionPath(`${dateDir}/${hourDir}`);
        if (hour) found.add(hour);
      }
    }
  }
  const ready: HourKey[] = [];
  const incomplete: HourKey[] = [];
  for (const hour of [...found].sort(compareHours)) {
    const present = await Promise.all(STAGED_TABLES.map((t) => isFile(stagedPartitionFile(lake, t.name, hour))));
    (present.every(Boolean) ? ready : incomplete).push(hour);
  }
  return { ready, incomplete };
}

/** heads.json for readers without the state database. */
export async function recordSilverHead(db: OpenDuckDB, lake: string, head: number): Promise<void> {
  const hours = await queryNumber(db.connection, `SELECT count(*) FROM ${SOURCE_HOURS.name}`);
  const events = await queryNumber(db.connection, `SELECT (SELECT count(*) FROM ${EVENT_COPIES.name}) - (SELECT count(*) FROM ${SET_ASIDE_EVENTS.name})`);
  await writeHeads(lake, { silver: { head, hours, events, at: new Date().toISOString() } });
}
