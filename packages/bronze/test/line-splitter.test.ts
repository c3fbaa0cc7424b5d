import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../src/index.js';

function split(chunks: string[]): Array<[string, number, boolean]> {
  const out: Array<[string, number, boolean]> = [];
  const s = new LineSplitter();
  const on = (buf: Buffer, s: number, e: number, n: number, terminated: boolean) => {
    expect(buf[e]).toBe(10);
    out.push([buf.toString('utf8', s, e), n, terminated]);
  };
  for (const c of chunks) s.push(Buffer.from(c), on);
  s.end(on);
  return out;
}

describe('line splitter', () => {
  it('gives the same lines however the bytes are chunked, numbering from 1', () => {
    const text = 'ab\n\ncdé\nlast';
    const expected: Array<[string, number, boolean]> = [
      ['ab', 1, true],
      ['', 2, true],
      ['cdé', 3, true],
      ['last', 4, false],
    ];
    expect(split([text])).toEqual(expected);
    const bytes = Buffer.from(text);
    for (let size = 1; size <= bytes.length; size++) {
      const out: Array<[string, number, boolean]> = [];
      const s = new LineSplitter();
      const on = (buf: Buffer, s: number, e: number, n: number, terminated: boolean) => {
        expect(buf[e]).toBe(10);
        out.push([buf.toString('utf8', s, e), n, terminated]);
      };
      for (let i = 0; i < bytes.length; i += size) s.push(bytes.subarray(i, i + size), on);
      s.end(on);
      expect({ size, out }).toEqual({ size, out: expected });
    }
  });

  it('has no extra line after a final newline, and none at all for no bytes', () => {
    expect(split(['a\n'])).toEqual([['a', 1, true]]);
    expect(split([])).toEqual([]);
  });

  it('joins a line spread over many chunks once (a 40 MB line in 1 KB chunks)', () => {
    const s = new LineSplitter();
    const lines: Buffer[] = [];
    const piece = Buffer.alloc(1024, 120);
    for (let i = 0; i < 40 * 1024; i++) s.push(piece, (b, s0, e) => lines.push(b.subarray(s0, e)));
    s.push(Buffer.from('\n'), (b, s0, e) => lines.push(b.subarray(s0, e)));
    expect(lines.map((l) => l.length)).toEqual([40 * 1024 * 1024]);
    expect(s.bytes).toBe(40 * 1024 * 1024 + 1);
  });
});
