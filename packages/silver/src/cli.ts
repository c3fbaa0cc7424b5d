/**
 * `ghlake silver`: the thin command over `silverFromBronze` (silver rebuilt from the lake's
 * bronze partitions; `ghlake run` uses the fused raw → bronze+silver path instead). It alone
 * reads argv and env and prints. Exit 0 when every hour is written, 1 when any failed (e.g.
 * its bronze partition is missing), 2 for usage errors, 130 interrupted.
 */
import path from 'node:path';
import { describeOptions, parseCommandLine, resolveOptions, type Command } from '@ghlake/core';
import { hoursOrUsageError, runHourCommand } from '@ghlake/bronze';
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
Column rules: docs/transform.md.
One writer per lake: it holds <lake>/_state/lock while it runs (exit 1 if another ghlake holds it).

options:
${describeOptions(SILVER_OPTIONS)}

exit codes: 0 all hours written; 1 some hour failed; 2 usage error; 130 interrupted

examples:
  ghlake silver --date 2015-01-01 --lake ./lake`;

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
    const hours = hoursOrUsageError(options);
    const lake = path.resolve(io.cwd, options.lake);
    return runHourCommand(io, {
      name: 'silver',
      lake,
      hours,
      threads: options.threads,
      workerHeapMb: options.workerHeapMb,
      json: options.json,
      run: (pool, callbacks) => silverFromBronze(pool, { lake, silverRowGroupRows: options.silverRowGroupRows }, hours, callbacks),
      extra: silverExtra,
    });
  },
};
