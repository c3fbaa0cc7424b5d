/**
 * Splits decompressed bytes into lines on the Buffer (`indexOf(10)`), never on strings, so a
 * line's exact bytes are what the reader and the hash see. Chunks may cut a line anywhere: the
 * unfinished tail is carried into the next chunk. Line numbers are 1-based.
 *
 * Definition used by the hour's accounting: a line is every run of bytes ended by `\n`, plus the
 * bytes after the last `\n` when there are any (an unterminated last line). A file ending with
 * `\n` has no extra empty line after it.
 *
 * Every line is handed over as buf[start, end) with buf[end] === `\n` (its own newline, or a
 * sentinel one after an unterminated last line): the JSON reader stops on it without bounds checks.
 * Lines wholly inside a chunk come with what one native pass over the chunk found (`checked`): no
 * NUL byte among them (`NUL_FREE`), valid UTF-8 (`UTF8_VALID`), so the common line is not checked
 * again on its own.
 */
import { isUtf8 } from 'node:buffer';

export const NUL_FREE = 1;
export const UTF8_VALID = 2;

export type LineHandler = (buf: Buffer, start: number, end: number, lineNo: number, terminated: boolean, checked: number) => void;

const NEWLINE = Buffer.from('\n');

export class LineSplitter {
  /** Pieces of the unfinished line (joined once, when its newline comes: no quadratic copying of long lines). */
  private carry: Buffer[] = [];
  private lineNo = 0;
  /** Decompressed bytes seen so far. */
  bytes = 0;

  /** Lines handed out so far. */
  get lines(): number {
    return this.lineNo;
  }

  push(chunk: Buffer, onLine: LineHandler): void {
    this.bytes += chunk.length;
    let start = 0;
    let nl = chunk.indexOf(10);
    if (nl === -1) {
      this.carry.push(Buffer.from(chunk));
      return;
    }
    if (this.carry.length > 0) {
      this.carry.push(chunk.subarray(0, nl + 1));
      const joined = Buffer.concat(this.carry);
      this.carry = [];
      onLine(joined, 0, joined.length - 1, ++this.lineNo, true, 0);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (nl !== -1) {
      const last = chunk.lastIndexOf(10);
      const region = chunk.subarray(start, last);
      const checked = (region.indexOf(0) === -1 ? NUL_FREE : 0) | (isUtf8(region) ? UTF8_VALID : 0);
      while (nl !== -1) {
        onLine(chunk, start, nl, ++this.lineNo, true, checked);
        start = nl + 1;
        nl = chunk.indexOf(10, start);
      }
    }
    // Copy the tail: the chunk's memory is the producer's.
    if (start < chunk.length) this.carry.push(Buffer.from(chunk.subarray(start)));
  }

  /** Hand out the unterminated last line, if any (followed by a sentinel newline). */
  end(onLine: LineHandler): void {
    if (this.carry.length === 0) return;
    const rest = Buffer.concat([...this.carry, NEWLINE]);
    this.carry = [];
    if (rest.length > 1) onLine(rest, 0, rest.length - 1, ++this.lineNo, false, 0);
  }
}
