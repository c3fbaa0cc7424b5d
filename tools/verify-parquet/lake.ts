/**
 * A lake to check ghlake's Parquet files with other readers: the real `ghlake run` CLI against the
 * local mirror, over real hours of every era in the fixtures, a generated 2024-like hour (modern
 * payloads), and an hour of real defect lines so that bronze.quarantine holds rows (binary raw
 * bytes, every reason the fixtures can produce). Used by make-lake.ts (for verify.py) and by
 * tools/test/verify-parquet.test.ts (DuckDB, hyparquet and arrow-rs in `npm test`).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GHARCHIVE_FIXTURES } from '../../packages/core/test/fixtures/gharchive.js';
import { generateHours } from '../generate/hours.js';
import { startMirror } from '../mirror/server.js';

/** The hours of the lake: one of each era in the fixtures, the defect hour, the generated 2024-like hour. */
export const VERIFY_HOURS = ['2015-01-01-0', '2015-01-01-15', '2015-01-02-0', '2021-07-21-6', '2024-06-03-15', '2025-01-01-15'] as const;

/**
 * Build the lake in `<out>/lake` (the mirror's hours in `<out>/mirror`) with `ghlake run`, one run per
 * hour; `env` is the runs' environment. Returns the lake folder and each run's stdout.
 */
export async function makeVerifyLake(
  out: string,
  generatedEvents: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ lake: string; stdout: Map<string, string> }> {
  const mirrorDir = path.join(out, 'mirror');
  const lake = path.join(out, 'lake');
  await fs.rm(out, { recursive: true, force: true });
  await fs.mkdir(mirrorDir, { recursive: true });

  const copy = (from: string, hour: string) => fs.copyFile(from, path.join(mirrorDir, `${hour}.json.gz`));
  await copy(GHARCHIVE_FIXTURES.hour2015_01_01_0, '2015-01-01-0');
  await copy(GHARCHIVE_FIXTURES.hour2015_01_01_15, '2015-01-01-15');
  await copy(GHARCHIVE_FIXTURES.head2021[0]!, '2021-07-21-6');
  await copy(GHARCHIVE_FIXTURES.head2025_01_01_15, '2025-01-01-15');

  // Real defect lines, one hour: events of every era, then what the archive gets wrong.
  const lines = (file: string) =>
    (file.endsWith('.gz') ? gunzipSync(readFileSync(file)) : readFileSync(file))
      .toString('utf8')
      .split('\n')
      .filter((l) => l.length > 0);
  const real = lines(GHARCHIVE_FIXTURES.hour2015_01_01_0).slice(0, 200);
  const defects = Buffer.concat(
    [
      ...real.slice(0, 100).map((l) => Buffer.from(l)),
      ...lines(GHARCHIVE_FIXTURES.trimmedPayloads).map((l) => Buffer.from(l)),
      ...lines(GHARCHIVE_FIXTURES.pushBeforeAfter).map((l) => Buffer.from(l)),
      ...lines(GHARCHIVE_FIXTURES.timeline.gh2011)
        .slice(0, 20)
        .map((l) => Buffer.from(l)), // 2011 lines with ids: events
      ...lines(GHARCHIVE_FIXTURES.timeline.slice2014)
        .slice(0, 20)
        .map((l) => Buffer.from(l)), // Timeline lines: events with negative synthetic ids (other readers must read them)
      Buffer.from(`${real[100]}${real[101]}`), // }{: two events on one line
      Buffer.concat([Buffer.from(real[102]!.slice(0, 50)), Buffer.from([0, 0]), Buffer.from(real[102]!.slice(50))]), // NUL bytes, repaired
      Buffer.concat([Buffer.from('{"id":"1","type":"PushEvent","payload":"'), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('"}')]), // invalid_utf8
      Buffer.from(real[103]!.slice(0, 700)), // invalid_json (cut)
      Buffer.from('{"type":"PushEvent","created_at":"2015-01-02T00:00:00Z"}'), // missing_id
      Buffer.from(`${real[104]!.slice(0, real[104]!.lastIndexOf('"created_at":"'))}"created_at":"yesterday"}`), // invalid_created_at (the top-level one is last)
      Buffer.from('["not", "an", "object"]'), // not_an_object
      ...real.slice(105, 200).map((l) => Buffer.from(l)),
    ].flatMap((b) => [b, Buffer.from('\n')]),
  );
  await fs.writeFile(path.join(mirrorDir, '2015-01-02-0.json.gz'), gzipSync(defects));

  await generateHours({ outDir: mirrorDir, start: '2024-06-03-15', hours: 1, eventsPerHour: generatedEvents, seed: 7 });

  const mirror = await startMirror({ root: mirrorDir });
  const bin = path.resolve(import.meta.dirname, '../../packages/pipeline/bin/ghlake.mjs');
  const stdout = new Map<string, string>();
  try {
    for (const hour of VERIFY_HOURS) {
      // Asynchronously: the mirror answers from this process's event loop. Any exit but 0 throws
      // (every hour here is complete: defect lines are quarantined, not failures).
      const r = await promisify(execFile)(
        process.execPath,
        [bin, 'run', '--from', hour, '--to', hour, '--base-url', mirror.url, '--lake', lake, '--threads', '2'],
        { encoding: 'utf8', env },
      );
      stdout.set(hour, r.stdout);
    }
  } finally {
    await mirror.close();
  }
  return { lake, stdout };
}
