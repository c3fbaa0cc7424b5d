import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool, runPoolTask, GhlakeError, ERROR_CODES } from '../src/index.js';

const worker = new URL('./fixtures/echo-worker.ts', import.meta.url);
const run = promisify(execFile);

describe('shared pool', () => {
  const pool = createPool({ threads: 2, maxOldGenerationSizeMb: 64 });
  afterAll(() => pool.destroy());

  it('runs TypeScript worker modules and returns typed results', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map((value) => runPoolTask<{ kind: 'echo'; value: number }, { doubled: number }>(pool, worker, { kind: 'echo', value })),
    );
    expect(results.map((r) => r.doubled)).toEqual([2, 4, 6, 8]);
  });

  it('brings a worker error back as a GhlakeError with its code, hint and details', async () => {
    const error = await runPoolTask(pool, worker, { kind: 'throw', value: 7 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GhlakeError);
    expect((error as GhlakeError).code).toBe(ERROR_CODES.HOUR_DAMAGED);
    expect((error as GhlakeError).hint).toBe('h');
    expect((error as GhlakeError).details).toEqual({ value: 7 });
  });

  it('fails only the task whose worker runs out of memory; the pool goes on', async () => {
    const [oom, ok] = await Promise.allSettled([
      runPoolTask(pool, worker, { kind: 'oom', value: 0 }),
      runPoolTask<{ kind: 'echo'; value: number }, { doubled: number }>(pool, worker, { kind: 'echo', value: 21 }),
    ]);
    expect(oom.status).toBe('rejected');
    expect(((oom as PromiseRejectedResult).reason as GhlakeError).code).toBe(ERROR_CODES.WORKER_FAILED);
    expect(ok).toEqual({ status: 'fulfilled', value: expect.objectContaining({ doubled: 42 }) });
    const after = await runPoolTask<{ kind: 'echo'; value: number }, { doubled: number }>(pool, worker, { kind: 'echo', value: 5 });
    expect(after.doubled).toBe(10);
  });
});

describe('the compiled pool (dist/, what ghlake runs)', () => {
  it('gives its workers no TypeScript loader even when the process has one (a bench under `node --import tsx`), unless they run .ts modules', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ghlake-pool-args-'));
    try {
      const probe = path.join(dir, 'args-worker.mjs');
      await writeFile(probe, 'export default () => process.execArgv;\n');
      const main = path.join(dir, 'main.mjs');
      const pool = pathToFileURL(path.join(import.meta.dirname, '..', 'dist', 'pool.js')).href;
      await writeFile(
        main,
        `import { createPool } from ${JSON.stringify(pool)};
         const args = async (options) => { const p = createPool({ threads: 1, ...options }); try { return await p.run({}, { filename: ${JSON.stringify(probe)} }); } finally { await p.destroy(); } };
         console.log(JSON.stringify({ compiled: await args({}), typescript: await args({ typescriptWorkers: true }) }));`,
      );
      const { stdout } = await run(process.execPath, ['--import', 'tsx', '--no-warnings', main], { env: { ...process.env, NODE_OPTIONS: '' } });
      const seen = JSON.parse(stdout) as { compiled: string[]; typescript: string[] };
      expect(seen.compiled.join(' ')).not.toMatch(/tsx/);
      expect(seen.compiled).toContain('--no-warnings');
      expect(seen.typescript.join(' ')).toMatch(/tsx/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('starts its workers with a larger old generation, so a worker collects its garbage in fewer full GCs', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ghlake-pool-heap-'));
    try {
      // ~48 MB of arrays kept: V8's default heap starts small and takes a full GC to grow past it; 128 MB does not.
      const probe = path.join(dir, 'heap-worker.mjs');
      await writeFile(
        probe,
        `import { PerformanceObserver, constants } from 'node:perf_hooks';
         export default async () => {
           let majors = 0;
           const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++; });
           observer.observe({ entryTypes: ['gc'] });
           const keep = [];
           for (let i = 0; i < 6000; i++) keep.push(new Array(1000).fill(i));
           await new Promise((resolve) => setTimeout(resolve, 100));
           observer.disconnect();
           return keep.length === 6000 ? majors : -1;
         };\n`,
      );
      const pool = pathToFileURL(path.join(import.meta.dirname, '..', 'dist', 'pool.js')).href;
      const majors = async (initialOldGenerationMb: number) => {
        const main = path.join(dir, `main-${initialOldGenerationMb}.mjs`);
        await writeFile(
          main,
          `import { createPool } from ${JSON.stringify(pool)};
           const p = createPool({ threads: 1, initialOldGenerationMb: ${initialOldGenerationMb} });
           try { console.log(await p.run({}, { filename: ${JSON.stringify(probe)} })); } finally { await p.destroy(); }`,
        );
        const { stdout } = await run(process.execPath, [main], { env: { ...process.env, NODE_OPTIONS: '' } });
        return Number(stdout.trim());
      };
      const [v8Default, larger] = [await majors(0), await majors(128)];
      expect(v8Default).toBeGreaterThanOrEqual(1);
      expect(larger).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
