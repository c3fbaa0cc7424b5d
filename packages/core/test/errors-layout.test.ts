import { mkdtemp, readdir, rm, writeFile, mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  GhlakeError,
  exitCodeFor,
  formatErrorForUser,
  fromPlainError,
  toPlainError,
  hourFromPartitionPath,
  parseHour,
  partitionFile,
  rawPath,
  removeTempFiles,
  writeFileAtomic,
} from '../src/index.js';

describe('errors cross threads as plain data', () => {
  it('round-trips code, hint, retryable, details and cause through structuredClone', () => {
    const original = new GhlakeError(ERROR_CODES.HTTP_STATUS, 'HTTP 503 for 2015-01-01-15', {
      hint: 'retry later',
      retryable: true,
      details: { status: 503 },
      cause: new Error('socket hang up'),
    });
    const back = fromPlainError(structuredClone(toPlainError(original)));
    expect(back).toBeInstanceOf(GhlakeError);
    expect([back.code, back.message, back.hint, back.retryable, back.details]).toEqual([
      ERROR_CODES.HTTP_STATUS,
      original.message,
      'retry later',
      true,
      { status: 503 },
    ]);
    expect((back.cause as GhlakeError).message).toBe('socket hang up');
  });

  it('maps usage errors to exit 2 and others to 1, formatted as one line plus a hint', () => {
    expect(exitCodeFor(new GhlakeError(ERROR_CODES.INVALID_HOUR, 'x'))).toBe(2);
    expect(exitCodeFor(new Error('boom'))).toBe(1);
    expect(formatErrorForUser(new GhlakeError(ERROR_CODES.LAKE_LOCKED, 'lake is locked', { hint: 'wait' }))).toBe(
      'error GHLAKE_LAKE_LOCKED: lake is locked\n  hint: wait',
    );
  });
});

describe('lake layout', () => {
  it('puts raw hours and partitions where the README says', () => {
    const h = parseHour('2015-01-01-9');
    expect(rawPath('/lake', h)).toBe('/lake/raw/date=2015-01-01/2015-01-01-9.json.gz');
    expect(partitionFile('/lake', 'silver', 'events', h)).toBe('/lake/silver/events/date=2015-01-01/hour=9/part-0.parquet');
    expect(hourFromPartitionPath('/lake/silver/events/date=2015-01-01/hour=9/part-0.parquet')).toBe('2015-01-01-9');
  });
});

describe('atomic writes', () => {
  it('writes via a temporary name and cleans leftovers of a killed run', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ghlake-atomic-'));
    try {
      const target = path.join(dir, 'a', 'b.json');
      await writeFileAtomic(target, '{"ok":true}');
      expect(await readFile(target, 'utf8')).toBe('{"ok":true}');
      await mkdir(path.join(dir, 'x'), { recursive: true });
      await writeFile(path.join(dir, 'x', '.tmp-123-part-0.parquet'), 'half');
      expect(await removeTempFiles(dir)).toBe(1);
      expect(await readdir(path.join(dir, 'x'))).toEqual([]);
      expect(await readdir(path.join(dir, 'a'))).toEqual(['b.json']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
