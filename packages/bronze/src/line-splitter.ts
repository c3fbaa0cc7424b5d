/**
 * Splits decompressed bytes into lines on the Buffer (`indexOf(10)`), never on strings, so a
 * line's exact bytes are what the parser and the hash see. Chunks may cut a line anywhere: the
 * unfinished tail is carried into the next chunk. Line numbers are 1-based.
 *
 * Definition used by the hour's accounting: a line is every run of bytes ended by `\n`, plus the
 * bytes after the last `\n` when there are any (an unterminated last line). A file ending with
 * `\n` has no extra empty line after it.
 */
export type LineHandler = (line: Buffer, lineNo: number, terminated: boolean) => void;

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
      this.carry.push(chunk.subarray(0, nl));
      const joined = Buffer.concat(this.carry);
      this.carry = [];
      onLine(joined, ++this.lineNo, true);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    while (nl !== -1) {
      onLine(chunk.subarray(start, nl), ++this.lineNo, true);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    // Copy the tail: the chunk's memory may be reused by the producer.
    if (start < chunk.length) this.carry.push(Buffer.from(chunk.subarray(start)));
  }

  /** Hand out the unterminated last line, if any. */
  end(onLine: LineHandler): void {
    const rest = Buffer.concat(this.carry);
    this.carry = [];
    if (rest.length > 0) onLine(rest, ++this.lineNo, false);
  }
}
