import { afterAll, describe, expect, it } from 'vitest';
import { createPool, runPoolTask, GhlakeError, ERROR_CODES } from '../src/index.js';

const worker = new URL('./fixtures/echo-worker.ts', import.meta.url);

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
