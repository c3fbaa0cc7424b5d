/**
 * The lake format: what a lake's files mean, versioned in `<lake>/_state/format.json`, so that a
 * ghlake never mixes its files with those of an incompatible one. What each format changed is
 * FORMAT_CHANGES below (format 1: a lake with tables and no format.json).
 *
 * A lake of an earlier format is refused by every command that writes bronze, silver or gold, with
 * what changed and the way to rebuild it from its raw files (they stay valid: raw is GH Archive's
 * own bytes). Downloads, uploads and readers do not check it.
 */
import { promises as fs } from 'node:fs';
import { ERROR_CODES, GhlakeError } from './errors.js';
import { STATE_FILE_MODE, writeFileAtomic } from './fs-atomic.js';
import { lakeFormatPath, layerDir } from './layout.js';
import { entryExists } from './files.js';

export const LAKE_FORMAT = 4;

/** What each format changed from the one before: the refusal of an older lake lists them. */
export const FORMAT_CHANGES: Record<number, string> = {
  2: 'silver is published by silver commits from an incremental state and entity/gold tables are keyed tables; event_hash is SHA-256 (was MD5); payload_details has payload_pull_request_merged; the manifest is split by month',
  3: 'Timeline events (2012–2014) are read: bronze has era, silver.events has actor_id_source and org_id_source, event ids of Timeline events are synthetic',
  4: "Timeline logins are resolved across hours: silver's state has login_ids and login_uses, actor_id_source and org_id_source have the value 'lake'",
};

export interface LakeFormatRecord {
  format: number;
  /** When this lake was first written with the format. */
  since: string;
}

/** The lake's format: its record, 1 for a lake with tables but no record, undefined for a lake with no tables yet. */
export async function readLakeFormat(lake: string): Promise<number | undefined> {
  try {
    const record = JSON.parse(await fs.readFile(lakeFormatPath(lake), 'utf8')) as Partial<LakeFormatRecord>;
    if (typeof record.format === 'number') return record.format;
  } catch {
    // no record (or an unreadable one): decided by what the lake holds
  }
  for (const layer of ['bronze', 'silver', 'gold'] as const) if (await entryExists(layerDir(lake, layer))) return 1;
  return undefined;
}

/**
 * Before writing bronze, silver or gold: a lake of this format goes on; a new lake gets the
 * record; any other format is GHLAKE_LAKE_FORMAT with what to do.
 */
export async function ensureLakeFormat(lake: string): Promise<void> {
  const format = await readLakeFormat(lake);
  if (format === LAKE_FORMAT) return;
  if (format === undefined) {
    await writeFileAtomic(lakeFormatPath(lake), `${JSON.stringify({ format: LAKE_FORMAT, since: new Date().toISOString() } satisfies LakeFormatRecord)}\n`, {
      mode: STATE_FILE_MODE,
    });
    return;
  }
  if (format > LAKE_FORMAT) {
    throw new GhlakeError(ERROR_CODES.LAKE_FORMAT, `${lake} was written by a newer ghlake (lake format ${format}; this one writes format ${LAKE_FORMAT})`, {
      hint: 'use the newer ghlake with this lake, or another --lake',
      details: { lake, format },
    });
  }
  const changes = Object.entries(FORMAT_CHANGES)
    .filter(([since]) => Number(since) > format && Number(since) <= LAKE_FORMAT)
    .map(([since, what]) => `format ${since}: ${what}`);
  throw new GhlakeError(
    ERROR_CODES.LAKE_FORMAT,
    `${lake} was written by an earlier ghlake (lake format ${format}; this one writes format ${LAKE_FORMAT}): its silver and gold cannot be extended by this one (${changes.join('; ')})`,
    {
      hint: `rebuild it from its raw files (kept, nothing is downloaded again): move bronze/, silver/, gold, gold-versions/, warehouse.duckdb and _state/ aside, then run ghlake run --force over the lake's hours`,
      details: { lake, format },
    },
  );
}
