/**
 * `ghlake silver`: the thin command over `silverFromBronze` (silver rebuilt from the lake's
 * bronze partitions; `ghlake run` uses the fused raw → bronze+silver path instead). It alone
 * reads argv and env and prints. Exit 0 when every hour is written, 1 when any failed (e.g.
 * its bronze partition is missing), 2 for usage errors, 130 interrupted.
 */
import path from 'node:path';
import {
  ManifestStore,
  describeOptions,
  ensureLakeFormat,
  formatCount,
  recordFinalOutputs,
  parseCommandLine,
  requireHours,
  resolveHours,
  resolveOptions,
  withCommandLakeLock,
  type Command,
  type ExitCode,
} from '@ghlake/core';
import { consolidateSilver, rebuildSilver, silverHoursWritten, silverSummary } from './consolidate/index.js';
import { runHourCommand } from '@ghlake/bronze';
import { SILVER_OPTIONS } from './options.js';
import { silverFromBronze } from './runner.js';
import type { SilverHourMetrics } from './write-silver.js';

const HELP = `ghlake silver: build silver tables from bronze

usage: ghlake silver --from YYYY-MM-DD-H [--to YYYY-MM-DD-H] [options]
       ghlake silver --date YYYY-MM-DD [options]

Reads each hour's bronze.events partition and writes its silver partitions:
<lake>/silver/{events,payload_details,actor_observations,repository_observations,
organization_observations}/date=D/hour=H/part-0.parquet — one row per distinct event
(dedup key event_id, event_type, created_at; first line wins) and one row per actor,
repository and organization seen in the hour. Same rows as the fused path of ghlake run.
The hours are then published as silver commits: an event filed in two hours is kept in the
earlier one, and silver/actors, repositories and organizations are merged with the hours'
observations — at the cost of the new hours, not of the lake. Column rules: docs/transform.md.
--rebuild (with or without hours) recomputes that over every hour in the lake instead.
One writer per lake: it holds <lake>/_state/lock while it runs (exit 1 if another ghlake holds it).

options:
${describeOptions(SILVER_OPTIONS)}

exit codes: 0 all hours written; 1 some hour failed; 2 usage error; 130 interrupted

examples:
  ghlake silver --date 2015-01-01 --lake ./lake
  ghlake silver --rebuild --lake ./lake`;

export function silverExtra(m: SilverHourMetrics): string {
  return `silver=${m.events} actors=${m.actors} repos=${m.repositories} orgs=${m.organizations}`;
}

export const silverCommand: Command = {
  name: 'silver',
  summary: 'build silver tables from bronze (distinct events, payload details, entity observations)',
  help: () => HELP,
  async run(io) {
    const { flags } = parseCommandLine(io.argv, SILVER_OPTIONS);
    const options = resolveOptions(SILVER_OPTIONS, { flags, env: io.env });
    const lake = path.resolve(io.cwd, options.lake);
    const duckdb = { lake, memoryLimit: options.memoryLimit, threads: options.threads };
    // The hours' silver files are final once published (or rewritten) by a commit: the manifest notes them then.
    const publish = async (store: ManifestStore): Promise<string[]> => {
      if (options.rebuild) {
        const r = await rebuildSilver(duckdb);
        await recordFinalOutputs(store, await store.loadAll(), { refresh: true });
        return [
          `silver rebuilt from every hour (commit ${r.head}): ${formatCount(r.events)} distinct events, ${formatCount(r.setAside)} copies kept by an earlier hour set aside`,
        ];
      }
      const result = await consolidateSilver({ ...duckdb, signal: io.signal });
      const written = silverHoursWritten(result);
      await recordFinalOutputs(store, written === 'all' ? await store.loadAll() : written, { refresh: true });
      return silverSummary(result);
    };
    if (options.rebuild && resolveHours(options).length === 0) {
      return withCommandLakeLock(io, 'silver', lake, async (): Promise<ExitCode> => {
        await ensureLakeFormat(lake);
        const store = await ManifestStore.open(lake);
        try {
          io.stdout.write(`${(await publish(store)).join('\n')}\n`);
        } finally {
          await store.flush();
        }
        return 0;
      });
    }
    const hours = requireHours(options);
    return runHourCommand(io, {
      name: 'silver',
      layer: 'silver',
      lake,
      hours,
      threads: options.threads,
      workerHeapMb: options.workerHeapMb,
      json: options.json,
      run: (pool, callbacks) => silverFromBronze(pool, { lake, silverRowGroupRows: options.silverRowGroupRows }, hours, callbacks),
      extra: silverExtra,
      silverCounts: (m) => ({ events: m.events, duplicates: m.duplicates }),
      after: (_outcomes, store) => publish(store),
    });
  },
};
