/**
 * One hour through @ghlake/silver's fused bronze+silver transform on the shared pool, in the
 * run's terms (files, line accounting, damage). An hour that fails comes back as data.
 */
import { publishedPathOfStaged, type HourKey, type SharedPool } from '@ghlake/core';
import { corruptPath } from '@ghlake/download';
import { transformHours } from '@ghlake/silver';
import type { TransformedHour } from './stages.js';

export interface TransformStageConfig {
  lake: string;
}

/**
 * `uncheckedSource`: the raw file was stored without a gzip check; if it turns out damaged,
 * nothing is published and the answer is `refetch`. `keptCopy`: read the hour's kept damaged
 * copy (`<hour>.json.gz.corrupt`, the source itself is damaged): its good lines are published.
 */
export async function transformOneHour(
  pool: SharedPool,
  config: TransformStageConfig,
  hour: HourKey,
  options: { uncheckedSource: boolean; keptCopy?: boolean },
): Promise<TransformedHour> {
  const [outcome] = await transformHours(
    pool,
    { lake: config.lake, discardDamaged: options.uncheckedSource, ...(options.keptCopy ? { rawFiles: { [hour]: corruptPath(config.lake, hour) } } : {}) },
    [hour],
  );
  if (!outcome) throw new Error(`the transform returned no outcome for ${hour}`);
  const acc = outcome.accounting;
  const silver = outcome.extension;
  const base: TransformedHour = {
    hour,
    status: outcome.status === 'ok' ? 'transformed' : outcome.status === 'discarded' ? 'refetch' : outcome.status,
    // Silver is staged and published by the next silver commit: the hour's files are where that puts them.
    files: outcome.files.map((f) => publishedPathOfStaged(config.lake, f.path)),
    accounting: {
      lines: acc?.lines ?? 0,
      events: acc?.events ?? 0,
      silverEvents: silver?.events ?? 0,
      quarantined: acc?.quarantinedLines ?? 0,
      quarantinedByReason: acc?.quarantinedByReason ?? {},
      blankLines: acc?.blankLines ?? 0,
      duplicates: silver?.duplicates ?? 0,
    },
    ...(acc ? { uncompressedBytes: acc.bytes } : {}),
  };
  if (outcome.damage) base.damaged = `${outcome.damage.code}: ${outcome.damage.message}`;
  if (outcome.error) base.error = outcome.error;
  return base;
}
