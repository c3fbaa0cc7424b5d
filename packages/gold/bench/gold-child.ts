/**
 * One measured `buildGold` in its own process, so peak RSS (getrusage maxrss, which includes
 * DuckDB's native memory) belongs to this build alone. Prints one JSON line.
 *
 *   tsx bench/gold-child.ts <lake> <memoryLimitBytes> <threads>
 */
import { buildGold } from '../src/build-gold.js';

const [lake, memory, threads] = process.argv.slice(2);
if (!lake || !memory || !threads) {
  process.stderr.write('usage: tsx bench/gold-child.ts <lake> <memoryLimitBytes> <threads>\n');
  process.exit(2);
}
const cpu0 = process.cpuUsage();
const result = await buildGold({ lake, memoryLimit: Number(memory), threads: Number(threads) });
process.stdout.write(
  `${JSON.stringify({
    timings: result.timings,
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    cpuS: Math.round(((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6) * 10) / 10,
    goldMs: Object.fromEntries(result.gold.map((g) => [g.table, g.ms])),
    events: result.consolidation.events.rows,
    duplicatesRemoved: result.consolidation.events.rowsRemoved,
    gold: Object.fromEntries(result.gold.map((g) => [g.table, g.rows])),
    entities: Object.fromEntries(result.consolidation.entities.map((e) => [e.table, e.rows])),
  })}\n`,
);
