/**
 * The floor: what any JavaScript transform of an hour must at least do — gunzip the file and
 * JSON.parse every line — and nothing else. Same reading as the transform (1 MB chunks, lines
 * split on the Buffer).
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { INFLATE_CHUNK_BYTES, createHourGunzip, workerEntry } from '@ghlake/core';

export interface FloorTask {
  file: string;
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
  const parse = (buf: Buffer, start: number, end: number) => {
    if (end > start) {
      keys += Object.keys(JSON.parse(buf.toString('utf8', start, end)) as object).length;
      lines++;
    }
  };
  for await (const c of gunzip) {
    let chunk = c as Buffer;
    bytes += chunk.length;
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
