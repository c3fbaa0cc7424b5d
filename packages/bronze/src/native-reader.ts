/**
 * The native reader (@ghlake/core's native/json_reader.c, part of ghlake's native addon): JsonReader's validating
 * pass in C, used by JsonReader when it loads. Without it (no C compiler at install, another platform, or
 * GHLAKE_NATIVE=0) JsonReader reads in JavaScript, with the same results: the differential tests run every case
 * through both.
 */
import { nativeAddon } from '@ghlake/core';

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
    /** Byte offset in `memory` of each view (core's native/json_reader.c lays them out). */
    layout: { kind: number; escaped: number; start: number; end: number; stamp: number; state: number; hash: number };
  };
  /** The index past the object's `}`; -1 when not a valid JSON object there. */
  readObject(handle: object, buf: Buffer, i: number): number;
  /** The last read's top-level members without a column, as [keyStart, keyEnd, valueStart, valueEnd] quadruples. */
  other(handle: object): Int32Array;
}

/** The reader's part of ghlake's native addon (@ghlake/core's nativeAddon), or undefined when it is not in use. */
export function nativeJsonReader(): NativeJsonReaderBinding | undefined {
  return nativeAddon<NativeJsonReaderBinding>();
}
