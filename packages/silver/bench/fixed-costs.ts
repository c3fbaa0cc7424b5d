/**
 * Per-hour fixed costs of the fused transform, without any event: an empty hour (a gzip of nothing)
 * through `transformHours` on a fresh 2-thread pool (pool start, the worker loading the transform,
 * eight files staged, fsynced and renamed), then the same hour again on the warm worker.
 *
 *   node --single-threaded-gc --import tsx packages/silver/bench/fixed-costs.ts [runs=3]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createPool, parseHour } from '@ghlake/core';
import { transformHours } from '@ghlake/silver';

const HOUR = parseHour('2015-01-01-1');
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;

for (let run = 0; run < Number(process.argv[2] ?? 3); run++) {
  const dir = await mkdtemp(path.join(tmpdir(), 'ghlake-fixed-costs-'));
  try {
    const rawDir = path.join(dir, 'raw');
    await (await import('node:fs/promises')).mkdir(rawDir);
    await writeFile(path.join(rawDir, `${HOUR}.json.gz`), gzipSync(Buffer.alloc(0)));
    const lake = path.join(dir, 'lake');
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const pool = createPool({ threads: 2 });
    const [first] = await transformHours(pool, { lake, rawDir }, [HOUR]);
    const c1 = process.cpuUsage(c0);
    const t1 = performance.now();
    const [again] = await transformHours(pool, { lake, rawDir }, [HOUR]);
    const c2 = process.cpuUsage(c0);
    const t2 = performance.now();
    await pool.destroy();
    console.log(
      `run ${run + 1}: first empty hour on a fresh pool ${first!.status}: wall ${(t1 - t0).toFixed(0)} ms, CPU ${cpuMs(c1).toFixed(0)} ms (in the worker: ${JSON.stringify(first!.timings)}); ` +
        `again on the warm worker: wall ${(t2 - t1).toFixed(0)} ms, CPU ${(cpuMs(c2) - cpuMs(c1)).toFixed(0)} ms (${JSON.stringify(again!.timings)})`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
