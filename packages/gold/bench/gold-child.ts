/**
 * One measured full recomputation in its own process, so peak RSS (getrusage maxrss, which includes
 * DuckDB's native memory) belongs to it alone: silver rebuilt from every hour (`rebuildSilver`: the
 * cross-hour dedup, the entity tables, the incremental state) and gold recounted with the models
 * (`buildGold --rebuild`). With `incremental`, a plain `buildGold` instead (nothing new: the
 * steady state of an hourly run). Prints one JSON line.
 *
 *   tsx bench/gold-child.ts <lake> <memoryLimitBytes> <threads> [rebuild|incremental]
 */
import { rebuildSilver } from '@ghlake/silver';
import { buildGold } from '../src/runner.js';

const [lake, memory, threads, mode = 'rebuild'] = process.argv.slice(2);
if (!lake || !memory || !threads) {
  process.stderr.write('usage: tsx bench/gold-child.ts <lake> <memoryLimitBytes> <threads> [rebuild|incremental]\n');
  process.exit(2);
}
const config = { lake, memoryLimit: Number(memory), threads: Number(threads) };
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const silver = mode === 'rebuild' ? await rebuildSilver(config) : undefined;
const silverMs = Math.round(performance.now() - t0);
const result = await buildGold({ ...config, rebuild: mode === 'rebuild' });
process.stdout.write(
  `${JSON.stringify({
    timings: { silver: silverMs, ...result.timings, total: Math.round(performance.now() - t0) },
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    cpuS: Math.round(((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6) * 10) / 10,
    mode: result.mode,
    events: result.events,
    setAside: silver?.setAside ?? 0,
    gold: Object.fromEntries(result.gold.map((g) => [g.table, g.rows])),
    entities: Object.fromEntries((silver?.entities ?? []).map((e) => [e.table, e.rows])),
  })}\n`,
);
