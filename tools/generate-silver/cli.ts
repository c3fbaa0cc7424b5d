/**
 * Generate benchmark-scale silver data (see generate.ts).
 *
 *   npx tsx tools/generate-silver/cli.ts --lake /tmp/bench-lake --events 20000000
 *       [--events-per-hour 200000] [--start 2024-06-03-0] [--duplicate-rate 0.005] [--seed 1]
 *       [--memory-limit 1GB] [--threads 2]
 */
import { parseArgs } from 'node:util';
import { generateSilver } from './generate.js';

const USAGE =
  'usage: tsx tools/generate-silver/cli.ts --lake <dir> --events <n> [--events-per-hour 200000] [--start 2024-06-03-0] [--duplicate-rate 0.005] [--seed 1] [--memory-limit 1GB] [--threads 2]';

function num(name: string, raw: string | undefined, integer = true): number | undefined {
  if (raw === undefined) return undefined;
  const ok = integer ? /^\d+$/.test(raw) : /^\d+(\.\d+)?$/.test(raw);
  if (!ok) throw new Error(`--${name} has invalid value '${raw}': expected ${integer ? 'a whole number' : 'a number'}`);
  return Number(raw);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      lake: { type: 'string' },
      events: { type: 'string' },
      'events-per-hour': { type: 'string' },
      start: { type: 'string' },
      'duplicate-rate': { type: 'string' },
      seed: { type: 'string' },
      'memory-limit': { type: 'string' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.lake || !values.events) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const result = await generateSilver({
    lake: values.lake,
    events: num('events', values.events)!,
    eventsPerHour: num('events-per-hour', values['events-per-hour']),
    start: values.start,
    duplicateRate: num('duplicate-rate', values['duplicate-rate'], false),
    seed: num('seed', values.seed),
    memoryLimit: values['memory-limit'],
    threads: num('threads', values.threads),
  });
  process.stdout.write(
    `${result.events.toLocaleString('en-US')} events (+${result.duplicates.toLocaleString('en-US')} cross-hour copies) in ${result.hours.length} hours ${result.hours[0]}..${result.hours.at(-1)} written to ${values.lake}/silver in ${(result.ms / 1000).toFixed(1)} s\n`,
  );
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
