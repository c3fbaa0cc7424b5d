/**
 * Commands refuse a `--lake` that does not exist: a typo in the path would otherwise build an
 * empty lake (gold of nothing) in a new folder and look like success.
 */
import { promises as fs } from 'node:fs';
import { invalidOption } from '@ghlake/core';

export async function assertLakeExists(lake: string, given: string): Promise<void> {
  const stat = await fs.stat(lake).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw invalidOption(
      '--lake',
      given,
      `an existing lake folder (${lake} does not exist; run ghlake run or ghlake silver first, or point --lake / GHLAKE_LAKE at your lake)`,
    );
  }
}
