/**
 * The native reader (native/json_reader.c, built at install by native/build.mjs): JsonReader's validating pass in C,
 * used by JsonReader when it loads. Without it (no C compiler at install, another platform, or GHLAKE_NATIVE=0)
 * JsonReader reads in JavaScript, with the same results: the differential tests run every case through both.
 */
import { createRequire } from 'node:module';

export interface NativeJsonReaderBinding {
  create(
    keys: string[],
    slots: Int32Array,
    subtreeEnds: Int32Array,
    ownColumn: Uint8Array,
    parents: Int32Array,
    slotCount: number,
    sha256: boolean,
  ): {
    handle: object;
    memory: ArrayBuffer;
    sha256: boolean;
    /** Byte offset in `memory` of each view (native/json_reader.c lays them out). */
    layout: { kind: number; escaped: number; start: number; end: number; stamp: number; state: number; hash: number };
  };
  /** The index past the object's `}`; -1 when not a valid JSON object there. */
  readObject(handle: object, buf: Buffer, i: number): number;
  /** The last read's top-level members without a column, as [keyStart, keyEnd, valueStart, valueEnd] quadruples. */
  other(handle: object): Int32Array;
}

/** The native binary's path, relative to this module (src/ or dist/): the package's native/build/. */
const BINARY = '../native/build/json_reader.node';

export interface NativeReaderStatus {
  loaded: boolean;
  /** Why not, when not loaded. */
  reason?: string;
}

let binding: NativeJsonReaderBinding | undefined;
let status: NativeReaderStatus | undefined;

function load(): void {
  if (status !== undefined) return;
  if (process.env.GHLAKE_NATIVE === '0') {
    status = { loaded: false, reason: 'GHLAKE_NATIVE=0' };
    return;
  }
  try {
    binding = createRequire(import.meta.url)(BINARY) as NativeJsonReaderBinding;
    status = { loaded: true };
  } catch (error) {
    status = {
      loaded: false,
      reason: `${BINARY} did not load (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): run npm run build:native`,
    };
  }
}

/** The native binding, or undefined when it is not built or disabled (see nativeReaderStatus). */
export function nativeJsonReader(): NativeJsonReaderBinding | undefined {
  load();
  return binding;
}

/** Whether the native reader is in use, and why not. */
export function nativeReaderStatus(): NativeReaderStatus {
  load();
  return status!;
}

/**
 * What a command tells its user when hours will be read by the JavaScript reader although nobody asked for it
 * (the native reader failed to build or load); undefined when the native reader is in use or was turned off.
 */
export function readerNotice(s: NativeReaderStatus = nativeReaderStatus(), env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (s.loaded || env.GHLAKE_NATIVE === '0') return undefined;
  return `hours are read by the JavaScript reader (transforms 10-30% slower, docs/build.md): ${s.reason}`;
}

/** Which reader this process reads hours with, in words (benchmarks print it beside their figures). */
export function readerInUse(s: NativeReaderStatus = nativeReaderStatus()): string {
  return s.loaded ? 'native (packages/bronze/native)' : `JavaScript — ${s.reason}`;
}
