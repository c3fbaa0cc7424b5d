/**
 * The top-level scanners: the full forward scan and the fast path that skips the payload by
 * scanning the members after it backward must give the same exact slices.
 */
import { describe, expect, it } from 'vitest';
import { scanObject, scanParsedObject, splitObjects } from '../src/index.js';
import { fileBytes, GHARCHIVE_FIXTURES, realLines } from './real-lines.js';

const slices = (text: string, scan: ReturnType<typeof scanObject>) =>
  scan && { start: scan.start, end: scan.end, fields: scan.fields.map((f) => [f.key, text.slice(f.keyStart, f.keyEnd), text.slice(f.valueStart, f.valueEnd)]) };
const fast = (text: string) => slices(text, scanParsedObject(text, 0, text.length, Object.keys(JSON.parse(text))));
const full = (text: string) => slices(text, scanObject(text, 0));

describe('top-level scan', () => {
  it('slices every member exactly, whatever strings, escapes, nesting and whitespace hold', () => {
    const tricky = [
      '{"id":"1","payload":{"a":"x\\"}","b":[1,{"c":"\\\\"}]},"public":true,"created_at":"2015-01-01T15:00:00Z"}',
      ' { "id" : "1" , "payload" : "}\\\\\\"{" , "public" : false , "org" : { "id" : 7 , "login" : "a\\"b" } } \r',
      '{"payload":[],"x":-1.5e3,"y":null,"z":"\\u0022"}',
      '{"a":1,"payload":{"public":1,"org":{}},"public":true}',
      '{"id":"1","payload":{},"pay\\u006coad":2}',
      '{"id":"1","payload":{"k":"v"}}',
      '{"1":2,"payload":{"k":"v"},"b":3}',
      '{"a":1,"payload":{"x":1},"a":2}',
      '{"payload":"é\\n💥","t":"ü"}',
    ];
    for (const text of tricky) {
      expect({ text, ...fast(text) }).toEqual({ text, ...full(text) });
      // the last member named payload (escaped or not) is the one JSON.parse keeps
      const p = full(text)!
        .fields.filter(([k]) => k === 'payload')
        .at(-1)![2]!;
      expect(JSON.parse(p)).toEqual(JSON.parse(text).payload);
    }
  });

  it('gives the same slices as the full scan on every real line of every era', () => {
    const files = [
      GHARCHIVE_FIXTURES.hour2015_01_01_0,
      GHARCHIVE_FIXTURES.head2025_01_01_15,
      ...GHARCHIVE_FIXTURES.head2021,
      GHARCHIVE_FIXTURES.trimmedPayloads,
      GHARCHIVE_FIXTURES.timeline.gh2011,
      GHARCHIVE_FIXTURES.timeline.slice2014,
    ];
    let n = 0;
    for (const file of files) {
      for (const line of realLines(file)) {
        const text = line.toString();
        const a = fast(text);
        const b = full(text);
        if (JSON.stringify(a) !== JSON.stringify(b)) expect({ file, text: text.slice(0, 200), a }).toEqual({ file, text: text.slice(0, 200), a: b });
        n++;
      }
    }
    expect(n).toBe(7702 + 2048 + 800 + 7 + 17 + 500);
  });

  it('splits objects written back to back, and refuses anything else', () => {
    expect(splitObjects('{"a":"}{"} {"b":[{}]}')).toEqual([
      [0, 10],
      [11, 21],
    ]);
    expect(splitObjects('{"a":1} x')).toBeUndefined();
    expect(splitObjects('{"a":"unterminated}')).toBeUndefined();
    expect(fileBytes(GHARCHIVE_FIXTURES.trimmedPayloads).length).toBeGreaterThan(0);
  });
});
