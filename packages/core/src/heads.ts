/**
 * `<lake>/_state/heads.json`: where silver and gold stand, for readers that cannot open the state
 * database (it belongs to the one writer holding the lake lock) — `ghlake status`, the
 * warehouse's freshness check. Written after each commit; the state database stays the truth, so a
 * heads file a crash left behind only makes a reader think the lake is a commit behind.
 */
import { promises as fs } from 'node:fs';
import { STATE_FILE_MODE, writeFileAtomic } from './fs-atomic.js';
import { headsPath } from './layout.js';

export interface LakeHeads {
  silver?: {
    /** The last silver commit. */
    head: number;
    /** Source hours consolidated into silver. */
    hours: number;
    /** Distinct events in silver. */
    events: number;
    at: string;
  };
  gold?: {
    /** The silver commit gold reflects. */
    head: number;
    /** The published version (`<lake>/gold-versions/<version>`). */
    version: string;
    /** incremental, rebuild. */
    mode: string;
    at: string;
  };
}

export async function readHeads(lake: string): Promise<LakeHeads> {
  try {
    return JSON.parse(await fs.readFile(headsPath(lake), 'utf8')) as LakeHeads;
  } catch {
    return {};
  }
}

export async function writeHeads(lake: string, patch: LakeHeads): Promise<void> {
  const heads = { ...(await readHeads(lake)), ...patch };
  await writeFileAtomic(headsPath(lake), `${JSON.stringify(heads, null, 1)}\n`, { mode: STATE_FILE_MODE });
}
