/**
 * What would WebAssembly do for the byte reader's validating scan? A measurement for issue 17's design question,
 * not product code: the scan of json-reader.ts (`skipAny` over every line: complete JSON validation, no slots) against
 * the same algorithm in AssemblyScript (bench/scan-prototypes/validate.as.ts; the Rust port beside it is run by hand), scalar and with
 * 16-byte SIMD string skipping.
 *
 *   npm run bench:wasm-scan -w @ghlake/bronze [-- <hour.json.gz> ...] [--runs 3]
 *
 * Default inputs: the real 2015 hours of the fixtures and silver:bench's cached generated hours when present
 * ($TMPDIR/ghlake-bench-hours). Reports the CPU of each (median of the runs), the copy into WebAssembly memory, and
 * checks that both validators accept the same lines (on every input and on a set of hand-made invalid lines).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import asc from 'assemblyscript/asc';
import { JsonReader } from '@ghlake/bronze';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';
import { JSON_EDGE_CASES } from '../test/json-edge-cases.js';

// Node has WebAssembly; this project's TypeScript libs (ES2022, no DOM) do not declare it: what the bench uses of it.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: unknown } }>;
};

const { values, positionals } = parseArgs({ options: { runs: { type: 'string', default: '3' } }, allowPositionals: true });
const runs = Number(values.runs);

const out = path.join(mkdtempSync(path.join(tmpdir(), 'ghlake-wasm-scan-')), 'validate.wasm');
const source = new URL('./scan-prototypes/validate.as.ts', import.meta.url).pathname;
const compiled = await asc.main([source, '-O3', '--noAssert', '--enable', 'simd', '--runtime', 'stub', '-o', out]);
if (compiled.error) throw new Error(`asc: ${compiled.error.message}\n${compiled.stderr.toString()}`);
const { instance } = await WebAssembly.instantiate(readFileSync(out), {
  env: {
    abort: () => {
      throw new Error('wasm abort');
    },
  },
});
const wasm = instance.exports as {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  validateLines(base: number, len: number, stack: number, simd: number): number;
};
const BASE = 65_536;
const STACK = 1_024;

const reader = new JsonReader([], 0);
function jsValid(raw: Buffer): number {
  let p = 0;
  let valid = 0;
  while (p < raw.length) {
    let e = raw.indexOf(10, p);
    if (e < 0) e = raw.length;
    if (reader.skipAny(raw, p) === e) valid++;
    p = e + 1;
  }
  return valid;
}
/** Copy `raw` into WebAssembly memory (grown as needed, 64 zero bytes after: SIMD loads read ahead). */
function load(raw: Buffer): void {
  const need = BASE + raw.length + 64;
  if (wasm.memory.buffer.byteLength < need) wasm.memory.grow(Math.ceil((need - wasm.memory.buffer.byteLength) / 65_536));
  const mem = new Uint8Array(wasm.memory.buffer);
  mem.set(raw, BASE);
  mem.fill(0, BASE + raw.length, BASE + raw.length + 64);
}
const wasmValid = (raw: Buffer, simd: boolean) => wasm.validateLines(BASE, raw.length, STACK, simd ? 1 : 0);

const cache = path.join(tmpdir(), 'ghlake-bench-hours');
const files = positionals.length
  ? positionals
  : [
      ...['2015-01-01-0', '2015-01-01-15'].map((h) => path.join(GHARCHIVE_FIXTURES.dir, `${h}.json.gz`)),
      ...['v2-trimmed-events-150000-hours-2-seed-1', 'v2-events-250000-hours-2-seed-1']
        .map((d) => path.join(cache, d))
        .filter((d) => existsSync(d))
        .map((d) =>
          path.join(
            d,
            readdirSync(d)
              .filter((f) => f.endsWith('.json.gz'))
              .sort()[0]!,
          ),
        ),
    ];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const cpu = (f: () => number): [number, number] => {
  const c0 = process.cpuUsage();
  const n = f();
  const c = process.cpuUsage(c0);
  return [(c.user + c.system) / 1000, n];
};

console.log(`| input | MB | lines valid | JS scan ms | copy into wasm ms (first / again) | wasm ms | wasm+SIMD ms | JS / wasm | JS / wasm+SIMD |`);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const file of files) {
  const raw = gunzipSync(readFileSync(file));
  const t = { js: [] as number[], wasm: [] as number[], simd: [] as number[], copy: [] as number[] };
  let counts: number[] = [];
  for (let r = 0; r < runs; r++) {
    const [c] = cpu(() => (load(raw), 0));
    t.copy.push(c);
    const [a, na] = cpu(() => jsValid(raw));
    const [b, nb] = cpu(() => wasmValid(raw, false));
    const [s, ns] = cpu(() => wasmValid(raw, true));
    t.js.push(a);
    t.wasm.push(b);
    t.simd.push(s);
    counts = [na, nb, ns];
    if (na !== nb || na !== ns) throw new Error(`${file}: valid lines differ: js ${na}, wasm ${nb}, simd ${ns}`);
  }
  const js = median(t.js);
  console.log(
    `| ${path.basename(file)} | ${(raw.length / 1e6).toFixed(0)} | ${counts[0]!.toLocaleString('en-US')} | ${js.toFixed(0)} | ${t.copy[0]!.toFixed(0)} / ${runs > 1 ? median(t.copy.slice(1)).toFixed(0) : '–'} | ${median(t.wasm).toFixed(0)} | ${median(t.simd).toFixed(0)} | ${(js / median(t.wasm)).toFixed(2)}× | ${(js / median(t.simd)).toFixed(2)}× |`,
  );
}

// Last (their tiny buffers would change the JIT feedback of the measured scans): the prototypes accept exactly the
// lines the JavaScript reader accepts on the edge cases its unit test holds to JSON.parse.
for (const c of JSON_EDGE_CASES) {
  if (c.includes('\n')) continue;
  const raw = Buffer.from(c);
  load(raw);
  const got = [jsValid(raw), wasmValid(raw, false), wasmValid(raw, true)];
  if (got[1] !== got[0] || got[2] !== got[0]) throw new Error(`validators disagree on ${JSON.stringify(c.slice(0, 80))}: js/wasm/simd ${got}`);
}
console.log(`\nedge cases: wasm and wasm+SIMD accept the same lines as the JavaScript reader on all ${JSON_EDGE_CASES.length}`);
