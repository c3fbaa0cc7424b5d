/**
 * Temporary files a killed run left behind, removed without walking the lake: they can only be
 * where a run writes — the folders of the hours it was working on (recorded in
 * `_state/in-flight.json` when it plans them, cleared when it ends), the state folder (staged
 * hours, pending commits and manifest months: small by construction), the lake's root (the
 * warehouse), the keyed silver tables and the gold versions' folder. Cost: the hours in flight.
 */
import { promises as fs } from 'node:fs';
import {
  BRONZE_TABLES,
  ENTITY_RULES,
  duckdbTempDir,
  goldVersionsDir,
  hourWriteDirs,
  inFlightPath,
  removeTempFiles,
  removeTempFilesHere,
  stateDir,
  tableDir,
  writeFileAtomic,
  STATE_FILE_MODE,
  type HourKey,
} from '@ghlake/core';
import { STAGED_TABLES } from '@ghlake/silver';

const TABLES = { bronze: BRONZE_TABLES.map((t) => t.name), staged: STAGED_TABLES.map((t) => t.name) };

/** The hours a run recorded as in flight (none when it ended cleanly). */
export async function readInFlight(lake: string): Promise<HourKey[]> {
  try {
    const parsed = JSON.parse(await fs.readFile(inFlightPath(lake), 'utf8')) as { hours?: unknown };
    return Array.isArray(parsed.hours) ? (parsed.hours.filter((h) => typeof h === 'string') as HourKey[]) : [];
  } catch {
    return [];
  }
}

export async function writeInFlight(lake: string, hours: readonly HourKey[]): Promise<void> {
  await writeFileAtomic(inFlightPath(lake), `${JSON.stringify({ hours })}\n`, { mode: STATE_FILE_MODE });
}

export async function clearInFlight(lake: string): Promise<void> {
  await fs.rm(inFlightPath(lake), { force: true });
}

/** Remove the temporary files of the fixed places and of `hours`' folders. Returns how many. */
export async function sweepTempFiles(lake: string, hours: readonly HourKey[]): Promise<number> {
  let removed = await removeTempFilesHere(lake);
  removed += await removeTempFiles(stateDir(lake));
  removed += await removeTempFiles(duckdbTempDir(lake));
  removed += await removeTempFilesHere(goldVersionsDir(lake));
  for (const rule of ENTITY_RULES) removed += await removeTempFilesHere(tableDir(lake, 'silver', rule.entity.name));
  for (const hour of new Set(hours)) for (const dir of hourWriteDirs(lake, hour, TABLES)) removed += await removeTempFilesHere(dir);
  return removed;
}
