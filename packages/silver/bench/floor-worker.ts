/**
 * The floor: what any JavaScript transform of an hour must at least do — gunzip the file and
 * JSON.parse every line — and nothing else. Same reading as the transform (1 MB chunks, lines
 * split on the Buffer).
 *
 * `required` adds the rest of the work the tables' definitions impose on any implementation,
 * still building no row: the hash of every line (`event_hash`) and Snappy over every decompressed
 * byte (bronze keeps the payload text, most of each line, in a Snappy-compressed column).
 * `gunzipOnly`: inflating the file and nothing else.
 */
import { hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { compressSync as snappyCompress } from 'snappy';
import { INFLATE_CHUNK_BYTES, createHourGunzip, workerEntry } from '@ghlake/core';
import { EVENT_HASH_ALGORITHM, HourTransform } from '@ghlake/bronze';

export interface FloorTask {
  file: string;
  /** Also hash every line (event_hash) and Snappy-compress every decompressed chunk. */
  required?: boolean;
  /** Only gunzip (no parse): the floor no design escapes. */
  gunzipOnly?: boolean;
  /**
   * The floor of the byte-reader design: gunzip, the line reader over every line (complete
   * validation, the field tree's slots, the event's identity and its SHA-256), Snappy over every
   * decompressed byte; no row built, nothing written.
   */
  reader?: boolean;
}
export interface FloorResult {
  lines: number;
  bytes: number;
  /** Sum of parsed objects' key counts: keeps the parse from being optimized away. */
  keys: number;
}

export async function parseEveryLine(task: FloorTask): Promise<FloorResult> {
  const gunzip = createHourGunzip();
  pipeline(createReadStream(task.file, { highWaterMark: INFLATE_CHUNK_BYTES }), gunzip, () => undefined);
  let carry: Buffer | null = null;
  let lines = 0;
  let bytes = 0;
  let keys = 0;
  const required = task.required === true;
  const parse = (buf: Buffer, start: number, end: number) => {
    if (end > start) {
      keys += Object.keys(JSON.parse(buf.toString('utf8', start, end)) as object).length;
      if (required) keys += hash(EVENT_HASH_ALGORITHM, buf.subarray(start, end), 'hex').length;
      lines++;
    }
  };
  if (task.reader) {
    const transform = new HourTransform({ event: () => undefined, quarantine: () => undefined });
    for await (const c of gunzip) {
      const chunk = c as Buffer;
      bytes += chunk.length;
      keys += snappyCompress(chunk).length > 0 ? 1 : 0;
      transform.push(chunk);
    }
    return { lines: transform.end().events, bytes, keys };
  }
  if (task.gunzipOnly) {
    for await (const c of gunzip) {
      bytes += (c as Buffer).length;
      lines += 1;
    }
    return { lines, bytes, keys };
  }
  for await (const c of gunzip) {
    let chunk = c as Buffer;
    bytes += chunk.length;
    if (required) keys += snappyCompress(chunk).length > 0 ? 1 : 0;
    if (carry) {
      chunk = Buffer.concat([carry, chunk]);
      carry = null;
    }
    let start = 0;
    let nl = chunk.indexOf(10);
    while (nl !== -1) {
      parse(chunk, start, nl);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) carry = Buffer.from(chunk.subarray(start));
  }
  if (carry) parse(carry, 0, carry.length);
  return { lines, bytes, keys };
}

export default workerEntry<FloorTask, FloorResult>(parseEveryLine);
