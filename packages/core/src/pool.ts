/**
 * The one Piscina pool all stages share. Tasks carry file paths and plain options, never
 * buffers; each stage names its own worker module per task (`runPoolTask(pool, url, task)`),
 * so one pool serves download verification, bronze, silver and the fused path alike.
 *
 * ghlake runs compiled (dist/*.js: what `npm ci` builds and bin/ghlake.mjs loads), and its tests
 * and benches run the TypeScript sources. `workerModule` names the worker file of the same kind
 * as its caller; run from sources, the pool adds tsx's loader and the `@ghlake/source` export
 * condition to the workers so `.ts` workers and their `@ghlake/*` imports load in plain Node 20.
 *
 * Failure isolation: a worker that throws fails that task alone (the promise rejects with a
 * GhlakeError rebuilt from plain data); a worker that dies (out of memory, process.exit) is
 * replaced by Piscina and the other tasks go on.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import v8 from 'node:v8';
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
  /**
   * The old generation each worker's heap starts with, in MB (default 128; 0: V8's own, ~16 MB). V8 runs a full
   * mark-compact each time a few MB more survive until the heap has grown: ~13 per trimmed 2026 hour in a worker,
   * ~4 with 128 MB (10% less CPU per hour, ~60 MB more peak RSS for two workers; docs/bench-silver.md). At most half
   * of `maxOldGenerationSizeMb`.
   */
  initialOldGenerationMb?: number;
  /**
   * The workers run `.ts` modules of their own (a benchmark's worker beside compiled packages): tsx's loader goes to
   * them. Default: only when ghlake itself runs from its sources.
   */
  typescriptWorkers?: boolean;
}

/** Every worker returns this union, so errors cross threads as data, never as thrown objects. */
export type WorkerResult<T> = { ok: true; value: T } | { ok: false; error: PlainError };

/** This module is TypeScript when ghlake runs from its sources (tests, benches), JavaScript when compiled. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
/** The export condition that maps `@ghlake/*` imports to src/ (every package.json `exports`). */
const SOURCE_CONDITION = '--conditions=@ghlake/source';

/** Node options a worker needs to run sources: tsx's loader and the source condition (none when compiled). */
function sourceExecArgv(inherited: readonly string[], typescriptWorkers: boolean): string[] {
  if (!FROM_SOURCE && !typescriptWorkers) return [];
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href; // tsx's --import entry (dist/loader.mjs)
  const fromEnv = process.env.NODE_OPTIONS ?? '';
  return [
    ...(inherited.some((a) => a.includes('tsx')) || fromEnv.includes('tsx') ? [] : ['--import', tsxLoader]),
    ...(!FROM_SOURCE || inherited.includes(SOURCE_CONDITION) || fromEnv.includes('@ghlake/source') ? [] : [SOURCE_CONDITION]),
  ];
}

/**
 * The process's Node options without a TypeScript loader (`--import tsx`, `--import=…tsx…`, `--require tsx/cjs`):
 * compiled workers do not need one, and with tsx's hooks in a worker a transform costs 30-40% more CPU (a benchmark run
 * under `node --import tsx` measured that, not what `ghlake` runs: docs/bench-silver.md).
 */
function withoutTypeScriptLoader(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if ((a === '--import' || a === '--require' || a === '-r' || a === '--loader' || a === '--experimental-loader') && args[i + 1]?.includes('tsx')) i++;
    else if (!(/^--(import|require|loader|experimental-loader)=/.test(a) && a.includes('tsx'))) out.push(a);
  }
  return out;
}

/**
 * The worker module `name` beside the calling module (`base`: its `import.meta.url`): `name.ts`
 * when the caller runs from sources, `name.js` when compiled.
 */
export function workerModule(name: string, base: string): URL {
  return new URL(`${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
}

export type SharedPool = Piscina;

/** Node options that act on the whole process and that `new Worker({ execArgv })` rejects. */
const PROCESS_WIDE_FLAGS = new Set(['--single-threaded-gc', '--single-threaded']);

/** The initial old generation of isolates made from now on (process-wide: a worker's resourceLimits cannot say it). */
let initialOldGenerationSet: number | undefined;
function setInitialOldGeneration(mb: number): void {
  if (mb <= 0 || initialOldGenerationSet === mb) return;
  v8.setFlagsFromString(`--initial-old-space-size=${mb}`);
  initialOldGenerationSet = mb;
}

export function createPool(options: PoolOptions = {}): SharedPool {
  const threads = options.threads ?? availableParallelism();
  const maxOldGenerationSizeMb = options.maxOldGenerationSizeMb ?? 4096;
  setInitialOldGeneration(Math.min(options.initialOldGenerationMb ?? 128, Math.floor(maxOldGenerationSizeMb / 2)));
  // Process-wide V8 flags (--single-threaded-gc, which ghlake's entry points pass) already apply
  // to the workers' isolates and are refused in a worker's execArgv.
  const typescriptWorkers = options.typescriptWorkers ?? false;
  const processArgs = process.execArgv.filter((a) => !PROCESS_WIDE_FLAGS.has(a));
  const inherited = FROM_SOURCE || typescriptWorkers ? processArgs : withoutTypeScriptLoader(processArgs);
  const execArgv = [...inherited, ...sourceExecArgv(inherited, typescriptWorkers)];
  return new Piscina({
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 30_000,
    concurrentTasksPerWorker: options.concurrentTasksPerWorker ?? 1,
    execArgv,
    resourceLimits: { maxOldGenerationSizeMb },
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
