/**
 * Build a lake to check ghlake's Parquet files with the Python readers (verify.py; the lake: lake.ts).
 *
 *   npx tsx tools/verify-parquet/make-lake.ts <dir> [events=5000]   # → <dir>/lake; events of the generated hour
 *   <venv>/bin/python tools/verify-parquet/verify.py <dir>/lake
 */
import { makeVerifyLake } from './lake.js';

const out = process.argv[2];
if (!out) throw new Error('usage: tsx tools/verify-parquet/make-lake.ts <dir> [events=5000]');
const { lake, stdout } = await makeVerifyLake(out, Number(process.argv[3] ?? 5_000));
for (const [hour, text] of stdout) process.stdout.write(`${hour}: ${/events\s+(.*)/.exec(text)?.[1] ?? ''}\n`);
process.stdout.write(`lake: ${lake}\n`);
