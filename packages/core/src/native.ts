/**
 * ghlake's native code (native/*.c, one Node-API addon built at install by native/build.mjs): the reader's
 * validating pass (@ghlake/bronze's JsonReader), the byte columns' encoding (parquet/byte-pages.ts), Snappy, and
 * silver's entity observations (@ghlake/silver's observations.ts). Each part
 * has a JavaScript twin with the same results — the fallback when the addon is not built (no C compiler at install,
 * another platform) or turned off (GHLAKE_NATIVE=0), and the reference of its differential test.
 */
import { createRequire } from 'node:module';

/** The addon's path, relative to this module (src/ or dist/): the package's native/build/. */
const BINARY = '../native/build/ghlake_native.node';

export interface NativeStatus {
  loaded: boolean;
  /** Why not, when not loaded. */
  reason?: string;
}

let addon: Record<string, unknown> | undefined;
let status: NativeStatus | undefined;

function load(): void {
  if (status !== undefined) return;
  if (process.env.GHLAKE_NATIVE === '0') {
    status = { loaded: false, reason: 'GHLAKE_NATIVE=0' };
    return;
  }
  try {
    addon = createRequire(import.meta.url)(BINARY) as Record<string, unknown>;
    status = { loaded: true };
  } catch (error) {
    status = {
      loaded: false,
      reason: `${BINARY} did not load (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): run npm run build:native`,
    };
  }
}

/** The addon's exports, typed by the part that uses them; undefined when it is not built or turned off. */
export function nativeAddon<T>(): T | undefined {
  load();
  return addon as T | undefined;
}

/** Whether the native code is in use, and why not. */
export function nativeStatus(): NativeStatus {
  load();
  return status!;
}

/**
 * What a command tells its user when hours will be transformed by the JavaScript twins although nobody asked for
 * it (the native code failed to build or load); undefined when it is in use or was turned off.
 */
export function nativeNotice(s: NativeStatus = nativeStatus(), env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (s.loaded || env.GHLAKE_NATIVE === '0') return undefined;
  return `hours are read and encoded in JavaScript (transforms 45-55% slower, docs/build.md): ${s.reason}`;
}

/** Which code this process transforms hours with, in words (benchmarks print it beside their figures). */
export function nativeInUse(s: NativeStatus = nativeStatus()): string {
  return s.loaded ? 'native (packages/core/native)' : `JavaScript — ${s.reason}`;
}
