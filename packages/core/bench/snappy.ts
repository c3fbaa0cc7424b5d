/**
 * Snappy: the native addon's compressor (native/snappy.c, into memory the writer reuses) against the `snappy`
 * package (a Buffer per call, copied into V8 memory as the writer used it), on 1 MiB pages of a real or generated
 * hour's decompressed bytes — the size of the writer's pages.
 *
 *   node --import tsx packages/core/bench/snappy.ts <hour.json.gz> [pages=200] [runs=5]
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { compressSync, uncompressSync } from 'snappy';
import { nativeAddon } from '../src/index.js';

const native = nativeAddon<{ snappyCompress(input: Buffer, start: number, end: number, out: Buffer, pos: number): number }>();
if (native === undefined) throw new Error('the native addon is not built: npm run build:native');
const file = process.argv[2];
if (file === undefined) throw new Error('usage: snappy.ts <hour.json.gz> [pages] [runs]');
const raw = gunzipSync(readFileSync(file));
const pages: Buffer[] = [];
for (let i = 0; i + (1 << 20) <= raw.length && pages.length < Number(process.argv[3] ?? 200); i += 1 << 20) pages.push(raw.subarray(i, i + (1 << 20)));
const out = Buffer.allocUnsafeSlow(2 << 20);
let bytes = 0;
let ours = 0;
let theirs = 0;
for (const p of pages) {
  const end = native.snappyCompress(p, 0, p.length, out, 0);
  if (!(uncompressSync(out.subarray(0, end)) as Buffer).equals(p)) throw new Error('round trip failed');
  bytes += p.length;
  ours += end;
  theirs += compressSync(p).length;
}
const mbps = (ms: number) => (bytes / 1e6 / (ms / 1000)).toFixed(0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const a: number[] = [];
const b: number[] = [];
for (let r = 0; r < Number(process.argv[4] ?? 5); r++) {
  let t0 = performance.now();
  for (const p of pages) native.snappyCompress(p, 0, p.length, out, 0);
  a.push(performance.now() - t0);
  t0 = performance.now();
  for (const p of pages) compressSync(p, { copyOutputData: true });
  b.push(performance.now() - t0);
}
console.log(`${pages.length} pages of 1 MiB from ${file}`);
console.log(`native/snappy.c  ${mbps(median(a))} MB/s, ratio ${(bytes / ours).toFixed(3)}`);
console.log(`snappy package   ${mbps(median(b))} MB/s, ratio ${(bytes / theirs).toFixed(3)}`);
