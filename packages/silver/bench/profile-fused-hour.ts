/**
 * One raw hour through the fused transform in THIS thread (no pool), for profiling:
 *
 *   npx tsx --cpu-prof --cpu-prof-dir /tmp/prof packages/silver/bench/profile-fused-hour.ts <hour.json.gz> [runs=2]
 *
 * Prints per run the CPU time, the transform's own phase split and the files written. Row groups: ghlake's defaults
 * (what transformHours and `ghlake run` write).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_BRONZE_ROW_GROUP_ROWS } from '@ghlake/bronze';
import { DEFAULT_SILVER_ROW_GROUP_ROWS, transformFusedHour } from '@ghlake/silver';

const raw = process.argv[2];
if (!raw) throw new Error('usage: profile-fused-hour.ts <YYYY-MM-DD-H.json.gz> [runs]');
const hour = path.basename(raw, '.json.gz');
for (let i = 0; i < Number(process.argv[3] ?? 2); i++) {
  const lake = await mkdtemp(path.join(tmpdir(), 'ghlake-profile-fused-'));
  try {
    const c0 = process.cpuUsage();
    const r = await transformFusedHour({
      hour,
      rawPath: raw,
      lake,
      bronzeRowGroupRows: DEFAULT_BRONZE_ROW_GROUP_ROWS,
      silverRowGroupRows: DEFAULT_SILVER_ROW_GROUP_ROWS,
    });
    const c = process.cpuUsage(c0);
    console.log(
      `${hour}: ${r.accounting.events} events, CPU ${((c.user + c.system) / 1e6).toFixed(2)} s, phases ${JSON.stringify(r.timings)}, ${r.files.map((f) => `${f.table} ${(f.bytes / 1e6).toFixed(1)} MB`).join(', ')}`,
    );
  } finally {
    await rm(lake, { recursive: true, force: true });
  }
}
