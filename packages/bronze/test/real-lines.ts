/** Real archive lines for defect tests: the shared fixtures, split on the Buffer. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';

export { GHARCHIVE_FIXTURES };

export function fileBytes(file: string): Buffer {
  const bytes = readFileSync(file);
  return file.endsWith('.gz') ? gunzipSync(bytes) : bytes;
}

/** The lines of a fixture file (without their newlines). */
export function realLines(file: string): Buffer[] {
  const bytes = fileBytes(file);
  const out: Buffer[] = [];
  let start = 0;
  for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, start)) {
    out.push(bytes.subarray(start, nl));
    start = nl + 1;
  }
  if (start < bytes.length) out.push(bytes.subarray(start));
  return out;
}

export const md5 = (b: Buffer | string): string => createHash('md5').update(b).digest('hex');
/** `event_hash` of an object's exact bytes: hex SHA-256. */
export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** Lines joined with `\n`, each terminated. */
export const joinLines = (lines: Buffer[]): Buffer => Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));

let hour15: Buffer[] | undefined;
/** Lines of the real hour 2015-01-01-15 (11,351). */
export function hour15Lines(): Buffer[] {
  hour15 ??= realLines(GHARCHIVE_FIXTURES.hour2015_01_01_15);
  return hour15;
}
