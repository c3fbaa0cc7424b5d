/**
 * The one Piscina pool all stages share. Tasks carry file paths and plain options, never
 * buffers; each stage names its own worker module per task (`runPoolTask(pool, url, task)`),
 * so one pool serves download verification, bronze, silver and the fused path alike.
 *
 * Worker modules are TypeScript run through tsx: the pool adds tsx's loader to the worker's
 * execArgv so `.ts` worker files load in plain Node 20 as well as under vitest.
 *
 * Failure isolation: a worker that throws fails that task alone (the promise rejects with a
 * GhlakeError rebuilt from plain data); a worker that dies (out of memory, process.exit) is
 * replaced by Piscina and the other tasks go on.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { ERROR_CODES, GhlakeError, fromPlainError, toPlainError, type PlainError } from './errors.js';

export interface PoolOptions {
  /** Worker threads; default: available cores. */
  threads?: number;
  /** Heap limit per worker in MB (a runaway hour fails alone instead of taking the process down). */
  maxOldGenerationSizeMb?: number;
  /** Tasks allowed to wait per thread before `run` queues in JS (Piscina's own queue is unbounded). */
  concurrentTasksPerWorker?: number;
}

/** Every worker returns this union, so errors cross threads as data, never as thrown objects. */
export type WorkerResult<T> = { ok: true; value: T } | { ok: false; error: PlainError };

const require = createRequire(import.meta.url);
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href; // tsx's --import entry (dist/loader.mjs)

export type SharedPool = Piscina;

/** Node options that act on the whole process and that `new Worker({ execArgv })` rejects. */
const PROCESS_WIDE_FLAGS = new Set(['--single-threaded-gc', '--single-threaded']);

export function createPool(options: PoolOptions = {}): SharedPool {
  const threads = options.threads ?? availableParallelism();
  // Process-wide V8 flags (--single-threaded-gc, which ghlake's entry points pass) already apply
  // to the workers' isolates and are refused in a worker's execArgv.
  const inherited = process.execArgv.filter((a) => !PROCESS_WIDE_FLAGS.has(a));
  const execArgv = inherited.some((a) => a.includes('tsx')) ? inherited : [...inherited, '--import', TSX_LOADER];
  return new Piscina({
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 30_000,
    concurrentTasksPerWorker: options.concurrentTasksPerWorker ?? 1,
    execArgv,
    resourceLimits: { maxOldGenerationSizeMb: options.maxOldGenerationSizeMb ?? 4096 },
  });
}

/**
 * Run one task on the shared pool with the given worker module. The worker's default export
 * must return `WorkerResult<T>` (use `workerEntry` to build one).
 */
export async function runPoolTask<TTask, TResult>(pool: SharedPool, workerModule: URL | string, task: TTask, signal?: AbortSignal): Promise<TResult> {
  const filename = typeof workerModule === 'string' ? workerModule : workerModule.href;
  let result: WorkerResult<TResult>;
  try {
    result = (await pool.run(task, { filename, ...(signal ? { signal } : {}) })) as WorkerResult<TResult>;
  } catch (error) {
    // The worker died (out of memory, exit, uncaught in an async callback) or the task was aborted.
    const message = error instanceof Error ? error.message : String(error);
    throw new GhlakeError(ERROR_CODES.WORKER_FAILED, `worker failed: ${message}`, {
      cause: error,
      retryable: false,
      hint: /memory|heap/i.test(message) ? 'the hour exceeded the worker heap limit; raise GHLAKE_WORKER_HEAP_MB or lower --threads' : undefined,
    });
  }
  if (!result || typeof result !== 'object' || !('ok' in result)) {
    throw new GhlakeError(ERROR_CODES.INTERNAL, 'worker returned a value that is not a WorkerResult');
  }
  if (!result.ok) throw fromPlainError(result.error);
  return result.value;
}

/** Wrap a worker function so it always resolves to a WorkerResult (errors as plain data). */
export function workerEntry<TTask, TResult>(fn: (task: TTask) => Promise<TResult> | TResult): (task: TTask) => Promise<WorkerResult<TResult>> {
  return async (task: TTask) => {
    try {
      return { ok: true, value: await fn(task) };
    } catch (error) {
      return { ok: false, error: toPlainError(error) };
    }
  };
}
