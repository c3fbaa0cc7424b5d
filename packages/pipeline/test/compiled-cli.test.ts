/**
 * The compiled `ghlake`, as `npm ci` leaves it: bin/ghlake.mjs loading dist/ with no TypeScript
 * loader in the process or its worker threads. Every other test runs the sources (vitest.config.ts
 * gives spawned processes `--conditions=@ghlake/source --import tsx`); this one takes those away,
 * so a build that is broken, stale or missing a worker file fails here. Node 20 cannot load a
 * `.ts` module without a loader, so a run that succeeds ran JavaScript only.
 */
import { execFile } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMirror, type Mirror } from '../../../tools/mirror/server.js';
import { GHLAKE_BIN } from './helpers/ghlake-process.js';
import { writeSlicedHours } from './helpers/sliced-hours.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
/** The environment of a user's shell: no source condition, no tsx. */
const COMPILED_ENV = { ...process.env, NODE_OPTIONS: '', GHLAKE_LOG_LEVEL: 'warn' };

const ghlake = (args: string[]) => promisify(execFile)(process.execPath, [GHLAKE_BIN, ...args], { env: COMPILED_ENV, encoding: 'utf8' });

let work: string;
let mirror: Mirror;

beforeAll(async () => {
  // What `npm ci` runs (the root's `prepare`); incremental, so a second of checking when dist is fresh.
  await promisify(execFile)(process.execPath, [TSC, '-b', 'tsconfig.build.json'], { cwd: ROOT });
  work = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-compiled-'));
  await writeSlicedHours(path.join(work, 'mirror'));
  mirror = await startMirror({ root: path.join(work, 'mirror') });
});
afterAll(async () => {
  await mirror?.close();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

describe('the compiled ghlake', () => {
  it('resolves @ghlake/pipeline/cli to dist/cli.js without the source condition', async () => {
    const script = "console.log(import.meta.resolve('@ghlake/pipeline/cli'))";
    const r = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: COMPILED_ENV,
      cwd: path.join(ROOT, 'packages/pipeline'),
    });
    expect(path.relative(ROOT, fileURLToPath(r.stdout.trim()))).toBe(path.join('packages', 'pipeline', 'dist', 'cli.js'));
  });

  it('prints its version and help', async () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'packages/pipeline/package.json'), 'utf8')) as { version: string };
    expect((await ghlake(['--version'])).stdout).toBe(`ghlake ${pkg.version}\n`);
    expect((await ghlake(['--help'])).stdout).toMatch(/^usage: ghlake <command> \[options\]$/m);
  });

  it('runs an hour end to end: download, the fused transform on worker threads, gold and the warehouse', async () => {
    const lake = path.join(work, 'lake');
    const r = await ghlake(['run', '--from', '2015-01-01-0', '--to', '2015-01-01-0', '--base-url', mirror.url, '--lake', lake, '--threads', '2']);
    expect(r.stdout).toMatch(/hours\s+1 transformed, 0 already up to date, 0 missing, 0 damaged, 0 failed/);
    expect(r.stdout).toContain('400 to bronze, 400 distinct within their hours to silver; 0 lines quarantined');

    const db = await DuckDBInstance.create(path.join(lake, 'warehouse.duckdb'), { threads: '1', access_mode: 'READ_ONLY' });
    const connection = await db.connect();
    try {
      const rows = (await connection.runAndReadAll('SELECT sum(event_count)::INTEGER AS n FROM gold.event_type_metrics')).getRowObjectsJS();
      expect(rows).toEqual([{ n: 400 }]);
    } finally {
      connection.closeSync();
      db.closeSync();
    }
  });
});
