/**
 * One hour through @ghlake/silver's fused bronze+silver transform on the shared pool, in the
 * run's terms (files, line accounting, damage). An hour that fails comes back as data.
 */
import type { HourKey, SharedPool } from '@ghlake/core';
import { transformRecordOf } from '@ghlake/bronze';
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
  const record = transformRecordOf(config.lake, outcome, ['bronze', 'silver'], outcome.extension);
  const base: TransformedHour = {
    hour,
    status: outcome.status === 'ok' ? 'transformed' : outcome.status === 'discarded' ? 'refetch' : outcome.status,
    // Silver is staged and published by the next silver commit: the hour's files are where that puts them.
    files: [...record.files],
    accounting: record.accounting,
    ...(outcome.accounting ? { uncompressedBytes: outcome.accounting.bytes } : {}),
    ...(record.damaged ? { damaged: record.damaged } : {}),
  };
  if (outcome.error) base.error = outcome.error;
  return base;
}
