/**
 * Make large realistic GH Archive hours for benchmarks (see hours.ts).
 *
 *   npx tsx tools/generate/cli.ts --out /tmp/gh --hours 2 --events 250000 --start 2024-06-03-15 [--seed 1]
 *       [--bytes-per-event 4300] [--gzip-level 6] [--templates a.json.gz,b.json.gz]
 */
import { parseArgs } from 'node:util';
import { GhlakeError } from '@ghlake/core';
import { generateHours } from './hours.js';

const USAGE =
  'usage: tsx tools/generate/cli.ts --out <dir> --start <YYYY-MM-DD-H> [--hours 1] [--events 250000] [--seed 1] [--bytes-per-event 4300] [--gzip-level 6] [--templates f1,f2]';

function int(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new Error(`--${name} has invalid value '${raw}': expected a whole number`);
  return Number(raw);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      start: { type: 'string' },
      hours: { type: 'string' },
      events: { type: 'string' },
      seed: { type: 'string' },
      'bytes-per-event': { type: 'string' },
      'gzip-level': { type: 'string' },
      templates: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.out || !values.start) throw new Error(`--out and --start are required\n${USAGE}`);
  const t0 = performance.now();
  const { hours, plan } = await generateHours({
    outDir: values.out,
    start: values.start,
    hours: int('hours', values.hours),
    eventsPerHour: int('events', values.events),
    seed: int('seed', values.seed),
    bytesPerEvent: int('bytes-per-event', values['bytes-per-event']),
    gzipLevel: int('gzip-level', values['gzip-level']),
    templates: values.templates?.split(','),
  });
  console.log(`templates: ${plan.templates.length} real events; expected ${Math.round(plan.meanBytesPerEvent)} B/event (size tilt γ=${plan.gamma.toFixed(3)})`);
  for (const h of hours) {
    console.log(
      `${h.file}: ${h.events} events, ${(h.rawBytes / 1e6).toFixed(1)} MB raw (${Math.round(h.rawBytes / h.events)} B/event), ${(h.gzipBytes / 1e6).toFixed(1)} MB gzip`,
    );
  }
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  if (error instanceof GhlakeError) console.error(`error ${error.code}: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}`);
  else console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
