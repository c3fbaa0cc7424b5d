/**
 * ghlake's native code (packages/core/native: the reader, the byte columns' encoders, Snappy) against its
 * JavaScript twins, one level above their own differential tests: `ghlake run` on the same real hours of every era
 * — with the archive's defects planted in one of them — once as installed and once with GHLAKE_NATIVE=0, and every
 * table of the two lakes (bronze, silver, gold) holds the same rows.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { nativeStatus } from '@ghlake/core';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';
import { startMirror, type Mirror } from '../../../tools/mirror/server.js';
import { runGhlake } from './helpers/ghlake-process.js';
import { lakeContent } from './helpers/lake-content.js';

let work: string;
let mirror: Mirror;

/** The real 2015-01-01-15 lines with the archive's defects planted among them (docs/transform.md, "Defects"). */
function withDefects(lines: string[]): string {
  const out = [...lines];
  const nul = out[10]!.replace('"type":', '"type"\u0000:');
  out.splice(11, 0, nul); // NUL bytes inside a line (removed, then the line is an event)
  out.splice(20, 0, `${out[21]!}${out[22]!}`); // two objects on one line
  out.splice(30, 0, out[31]!.slice(0, 200)); // an event cut mid-line
  out.splice(40, 0, '{"id":"1","type":"PushEvent"', '[1,2]', '"text"', '', '   ', '{"id":"x","type":"PushEvent","created_at":"2015-01-01T15:00:00Z"}');
  out.splice(50, 0, out[50]!.replace('"created_at":"', '"created_at":"not a time'));
  return `${out.join('\n')}\n${out[60]!.slice(0, 150)}`; // and an unterminated, truncated last line
}

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-native-twins-'));
  const dir = path.join(work, 'mirror');
  await fs.mkdir(dir);
  const hour15 = await fs.readFile(GHARCHIVE_FIXTURES.hour2015_01_01_15);
  await fs.writeFile(path.join(dir, '2015-01-01-15.json.gz'), hour15);
  const lines = gunzipSync(hour15).toString('utf8').split('\n').filter(Boolean).slice(0, 3000);
  await fs.writeFile(path.join(dir, '2015-01-01-16.json.gz'), gzipSync(withDefects(lines)));
  for (const [hour, file] of [
    ['2013-01-16-0', path.join(path.dirname(GHARCHIVE_FIXTURES.hour2015_01_01_15), 'timeline-era', '2013-01-16-0.slice-2.json.gz')],
    ['2025-01-01-15', path.join(path.dirname(GHARCHIVE_FIXTURES.hour2015_01_01_15), '2025-01-01-15.head-2048.json.gz')],
  ] as const) {
    await fs.copyFile(file, path.join(dir, `${hour}.json.gz`));
  }
  mirror = await startMirror({ root: dir });
});

afterAll(async () => {
  await mirror?.close();
  await fs.rm(work, { recursive: true, force: true });
});

async function lakeOf(name: string, env: Record<string, string>): Promise<{ lake: string; stderr: string }> {
  const lake = path.join(work, name);
  let stderr = '';
  for (const [from, to] of [
    ['2013-01-16-0', '2013-01-16-0'],
    ['2015-01-01-15', '2015-01-01-16'],
    ['2025-01-01-15', '2025-01-01-15'],
  ]) {
    const r = await runGhlake(['run', '--from', from!, '--to', to!, '--base-url', mirror.url, '--lake', lake, '--threads', '2', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    stderr += r.stderr;
  }
  return { lake, stderr };
}

it('ghlake run writes the same rows in every table with the native code and with its JavaScript twins (GHLAKE_NATIVE=0)', async () => {
  expect(nativeStatus()).toEqual({ loaded: true });
  const native = await lakeOf('native', {});
  const js = await lakeOf('javascript', { GHLAKE_NATIVE: '0' });
  const a = await lakeContent(native.lake);
  const b = await lakeContent(js.lake);
  expect(Object.keys(b)).toEqual(Object.keys(a));
  for (const table of Object.keys(a)) expect(b[table], table).toEqual(a[table]);
  // what was compared: every era's events, the planted defects quarantined
  // what was compared: every era's events (2015 hour 15, the 3,000 lines of hour 16 + the NUL line's event + the
  // two of the `}{` line, 2 Timeline lines, 2,048 lines of 2025) and the planted defects, each quarantined
  expect(a['bronze.events']!.length).toBe(11351 + 3003 + 2 + 2048);
  expect((a['bronze.quarantine'] as { reason: string }[]).map((r) => r.reason).sort()).toEqual([
    'invalid_created_at',
    'invalid_id',
    'invalid_json', // the event cut mid-line
    'invalid_json', // an unfinished object
    'not_an_object', // [1,2]
    'not_an_object', // "text"
    'truncated_line',
  ]);
  expect(a['silver.events']!.length).toBe(13401); // the NUL line and the `}{` line repeat events of the hour: dropped as duplicates
  // turned off on purpose: the run says nothing about it
  expect(js.stderr).not.toMatch(/read and encoded in JavaScript/);
}, 240_000);

it('an addon that does not load: ghlake run says why, once, runs the JavaScript twins and writes the same hour', async () => {
  // A preload that makes loading the addon fail as a wrong build would (the file is there, Node refuses it).
  const preload = path.join(work, 'refuse-addon.cjs');
  await fs.writeFile(
    preload,
    `const Module = require('node:module');
     const load = Module._extensions['.node'];
     Module._extensions['.node'] = function (module, filename) {
       if (filename.endsWith('ghlake_native.node')) throw new Error('invalid ELF header (simulated)');
       return load.call(this, module, filename);
     };`,
  );
  const run = (name: string, env: Record<string, string>) =>
    runGhlake(
      ['run', '--from', '2015-01-01-15', '--to', '2015-01-01-15', '--base-url', mirror.url, '--lake', path.join(work, name), '--threads', '1', '--json'],
      {
        env,
      },
    );
  const refused = await run('refused', { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${preload}` });
  expect(refused.code, refused.stderr).toBe(0);
  const notices = refused.logs.filter((l) => l.level === 'warn' && /read and encoded in JavaScript/.test(l.msg));
  expect(notices.map((l) => l.msg)).toEqual([
    expect.stringMatching(
      /^hours are read and encoded in JavaScript \(transforms 45-55% slower, docs\/build\.md\): .*ghlake_native\.node did not load \(invalid ELF header \(simulated\)\): run npm run build:native$/,
    ),
  ]);
  const loaded = await run('loaded', {});
  expect(loaded.code, loaded.stderr).toBe(0);
  expect(loaded.stderr).not.toMatch(/read and encoded in JavaScript/);
  const a = await lakeContent(path.join(work, 'loaded'));
  const b = await lakeContent(path.join(work, 'refused'));
  expect(a['bronze.events']!.length).toBe(11351);
  expect(Object.keys(b)).toEqual(Object.keys(a));
  for (const table of Object.keys(a)) expect(b[table], table).toEqual(a[table]);
}, 120_000);
