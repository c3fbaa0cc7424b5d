/**
 * `ghlake bronze`: the thin command over `bronzeHours`. It alone reads argv and env and
 * prints. Exit 0 when every hour is written (damaged hours included: what the gzip held is
 * kept and the damage reported), 1 when any hour failed, 2 for usage errors, 130 interrupted.
 */
import path from 'node:path';
import { describeOptions, parseCommandLine, requireHours, resolveOptions, type Command } from '@ghlake/core';
import { runHourCommand } from './hour-command.js';
import { BRONZE_OPTIONS } from './options.js';
import { bronzeHours } from './runner.js';

const HELP = `ghlake bronze: turn raw hours into bronze Parquet

usage: ghlake bronze --from YYYY-MM-DD-H [--to YYYY-MM-DD-H] [options]
       ghlake bronze --date YYYY-MM-DD [options]

Each raw hour (<lake>/raw/date=D/D-H.json.gz, or --raw-dir) is decompressed and parsed in a
worker thread, hours in parallel, into <lake>/bronze/events/date=D/hour=H/part-0.parquet (one
row per event object, payload kept as the exact text of the line, duplicates kept) and
<lake>/bronze/quarantine/... (every line that is not an event, with its reason and exact bytes).
Every line is accounted for in _accounting.json beside the events partition. The hour's files
appear together, only when all are complete. See docs/transform.md.
One writer per lake: it holds <lake>/_state/lock while it runs (exit 1 if another ghlake holds it).

options:
${describeOptions(BRONZE_OPTIONS)}

exit codes: 0 all hours written (damaged gzip files included, reported); 1 some hour failed; 2 usage error; 130 interrupted

examples:
  ghlake bronze --from 2015-01-01-0 --to 2015-01-01-23 --lake ./lake
  ghlake bronze --date 2015-01-01 --raw-dir ./downloads --threads 2`;

export const bronzeCommand: Command = {
  name: 'bronze',
  summary: 'turn raw hours into bronze Parquet (events + quarantine, every line accounted for)',
  help: () => HELP,
  async run(io) {
    const { flags } = parseCommandLine(io.argv, BRONZE_OPTIONS);
    const options = resolveOptions(BRONZE_OPTIONS, { flags, env: io.env });
    const hours = requireHours(options);
    const lake = path.resolve(io.cwd, options.lake);
    const rawDir = options.rawDir === undefined ? undefined : path.resolve(io.cwd, options.rawDir);
    return runHourCommand(io, {
      name: 'bronze',
      layer: 'bronze',
      lake,
      hours,
      threads: options.threads,
      workerHeapMb: options.workerHeapMb,
      json: options.json,
      run: (pool, callbacks) => bronzeHours(pool, { lake, rawDir, bronzeRowGroupRows: options.bronzeRowGroupRows }, hours, callbacks),
    });
  },
};
