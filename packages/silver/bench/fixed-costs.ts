import { createPool, parseHour } from '@ghlake/core';
import { transformHours } from '../src/index.js';
import { mkdtemp } from 'node:fs/promises';
const c0 = process.cpuUsage();
const t0 = performance.now();
const pool = createPool({ threads: 2 });
const lake = await mkdtemp('/tmp/hb17/lake-');
const first = await transformHours(pool, { lake, rawDir: '/tmp/hb17/empty' }, [parseHour('2015-01-01-1')]);
const c1 = process.cpuUsage(c0);
const t1 = performance.now();
const again = await transformHours(pool, { lake, rawDir: '/tmp/hb17/empty' }, [parseHour('2015-01-01-1')]);
const c2 = process.cpuUsage(c0);
const t2 = performance.now();
console.log(
  `first empty hour (pool start + worker module load): wall ${(t1 - t0).toFixed(0)} ms, cpu ${((c1.user + c1.system) / 1000).toFixed(0)} ms; ${first[0]!.status} ${JSON.stringify(first[0]!.timings)}`,
);
console.log(
  `second empty hour (warm worker): wall ${(t2 - t1).toFixed(0)} ms, cpu ${((c2.user + c2.system - c1.user - c1.system) / 1000).toFixed(0)} ms; ${JSON.stringify(again[0]!.timings)}`,
);
await pool.destroy();
