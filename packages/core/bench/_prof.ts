import { openTableWriter } from '../src/index.js';
import { hyparquetSinkFactory, type HyparquetTuning } from '../src/parquet/hyparquet-sink.js';
import { buildDataset, DATASETS, readFixtureEvents } from './bench-data.js';
import { parquetWasmSinkFactory } from './sinks/parquet-wasm-sink.js';
const variants: Record<string, HyparquetTuning | 'wasm'> = {
  native: { plainHighCardinality: true, noJsonStatistics: true, nativeSnappy: true },
  plainpre: { plainHighCardinality: true, noJsonStatistics: true, nativeSnappy: true, preEncodeStrings: 'plain' },
  wasm: 'wasm',
};
const ds = (process.argv[3] ?? 'bronze_events') as keyof typeof DATASETS;
const t = DATASETS[ds];
const b = buildDataset(ds, Number(process.argv[4] ?? 4), readFixtureEvents());
const names = process.argv[2]!.split(',');
const cpu: Record<string, number[]> = {};
for (let i = 0; i < 4; i++) {
  for (const name of names) {
    const v = variants[name]!;
    const f = v === 'wasm' ? parquetWasmSinkFactory() : hyparquetSinkFactory(v);
    const c0 = process.cpuUsage();
    const w = await openTableWriter(t, '/tmp/prof.parquet', { rowGroupRows: 65536 }, f);
    await w.append(b);
    await w.close();
    const c = process.cpuUsage(c0);
    (cpu[name] ??= []).push((c.user + c.system) / 1000);
  }
}
for (const [k, v] of Object.entries(cpu)) console.log(k, v.map((x) => Math.round(x)).join(' '), 'median', Math.round([...v].sort((a, b) => a - b)[2]!));
