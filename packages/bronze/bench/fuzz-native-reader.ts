/**
 * A longer differential fuzz of the native pass against the JavaScript one than the test suite runs: seeded random
 * edits of real lines (bytes from JSON's alphabet and any byte at all), random byte strings, deep nesting, strings
 * ending on and across 16-byte boundaries, objects ending exactly at the Buffer's end without a newline, and the same
 * bytes inside a larger Buffer, each in an allocation of its own. Any difference in result, slots, `other` or hash is
 * printed and fails the run (exit 1). Run it against an AddressSanitizer build of the addon to check every read stays
 * inside the Buffer (docs/build.md).
 *
 *   node --import tsx packages/bronze/bench/fuzz-native-reader.ts [--lines 300000] [--seed 7]
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { nativeStatus } from '@ghlake/core';
import { EVENT_FIELDS, JsonReader, KIND_ABSENT, SLOT_COUNT } from '@ghlake/bronze';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '300000' }, seed: { type: 'string', default: '7' } } });
if (!nativeStatus().loaded) throw new Error(`the native code is not built: ${nativeStatus().reason}`);
const native = new JsonReader(EVENT_FIELDS, SLOT_COUNT, { sha256: true });
const js = new JsonReader(EVENT_FIELDS, SLOT_COUNT, { native: false });

let seed = Number(values.seed);
const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const pick = <T>(a: readonly T[]): T => a[Math.floor(random() * a.length)]!;

const pool: Buffer[] = [];
for (const file of [GHARCHIVE_FIXTURES.hour2015_01_01_15, GHARCHIVE_FIXTURES.trimmedPayloads, GHARCHIVE_FIXTURES.timeline.gh2011]) {
  const bytes = file.endsWith('.gz') ? gunzipSync(readFileSync(file)) : readFileSync(file);
  let start = 0;
  for (let nl = bytes.indexOf(10); nl !== -1 && pool.length < 20_000; nl = bytes.indexOf(10, start)) {
    pool.push(bytes.subarray(start, nl));
    start = nl + 1;
  }
}
const alphabet = [...'{}[]":,\\/ntfrbue0123456789-+.Ee \t\r'].map((c) => c.charCodeAt(0));

function mutate(line: Buffer): Buffer {
  let out = line;
  for (let e = 1 + Math.floor(random() * 4); e > 0; e--) {
    const i = Math.floor(random() * (out.length + 1));
    const c = random() < 0.8 ? pick(alphabet) : Math.floor(random() * 256);
    const op = random();
    out =
      op < 0.35
        ? Buffer.concat([out.subarray(0, i), Buffer.from([c]), out.subarray(i + 1)])
        : op < 0.6
          ? Buffer.concat([out.subarray(0, i), out.subarray(i + 1)])
          : op < 0.85
            ? Buffer.concat([out.subarray(0, i), Buffer.from([c]), out.subarray(i)])
            : out.subarray(0, i); // cut
  }
  return out;
}

function generated(): Buffer {
  const kind = random();
  if (kind < 0.3) {
    const depth = 1 + Math.floor(random() * 200);
    return Buffer.from(`{"payload":${'['.repeat(depth)}1${']'.repeat(random() < 0.9 ? depth : depth - 1)}}`);
  }
  if (kind < 0.6) {
    // strings whose ends fall on every position around a 16-byte block
    const n = Math.floor(random() * 40);
    const body = 'x'.repeat(n) + (random() < 0.5 ? '\\"' : '') + (random() < 0.3 ? '\\u00e9' : '');
    return Buffer.from(`{"id":"${body}","type":"${'y'.repeat(Math.floor(random() * 20))}","actor":{"login":"${body}"}}`);
  }
  const n = 1 + Math.floor(random() * 64);
  return Buffer.from(Array.from({ length: n }, () => (random() < 0.7 ? pick(alphabet) : Math.floor(random() * 256))));
}

function read(reader: JsonReader, b: Buffer, i: number) {
  const j = reader.readObject(b, i);
  const slots: string[] = [];
  if (j >= 0)
    for (let s = 0; s < SLOT_COUNT; s++)
      if (reader.kindOf(s) !== KIND_ABSENT) slots.push(`${s}:${reader.kindOf(s)}:${reader.start[s]}:${reader.end[s]}:${reader.escaped[s]}`);
  return `${j}|${slots.join(',')}|${j >= 0 ? reader.other.join(',') : ''}`;
}

const total = Number(values.lines);
let valid = 0;
let failures = 0;
const t0 = performance.now();
for (let k = 0; k < total; k++) {
  const text = random() < 0.75 ? mutate(pick(pool)) : generated();
  const placement = random();
  // at the start of a Buffer with a newline; at the very end of a Buffer without one; inside a larger Buffer
  const parts =
    placement < 0.5
      ? Buffer.concat([text, Buffer.from('\n')])
      : placement < 0.75
        ? Buffer.from(text)
        : Buffer.concat([Buffer.from(' '.repeat(Math.floor(random() * 17))), text, Buffer.from('\n{"next":1}\n')]);
  // a Buffer of its own (Buffer.alloc never uses the shared pool): a read past its end is a read past an allocation,
  // which an AddressSanitizer build of the addon reports (docs/build.md)
  const b = Buffer.alloc(parts.length);
  parts.copy(b);
  const i = b.indexOf(123);
  if (i < 0) continue;
  const got = read(native, b, i);
  const want = read(js, b, i);
  const j = Number(got.split('|')[0]);
  let hashOk = true;
  if (j >= 0) {
    valid++;
    hashOk = native.nativeHash(b, i, j)?.toString('latin1') === createHash('sha256').update(b.subarray(i, j)).digest('hex');
  }
  if (got !== want || !hashOk) {
    failures++;
    if (failures <= 5) console.log(JSON.stringify({ input: b.toString('latin1').slice(0, 300), native: got.slice(0, 300), js: want.slice(0, 300), hashOk }));
  }
}
console.log(
  `${total.toLocaleString('en-US')} inputs, ${valid.toLocaleString('en-US')} valid objects, ${failures} differences, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
process.exitCode = failures === 0 ? 0 : 1;
