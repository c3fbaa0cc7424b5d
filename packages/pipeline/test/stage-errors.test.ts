/**
 * A failure keeps its facts on its way from the download to the run: code, message and hint,
 * and also whether another attempt may help, the details (url, bytes) and the cause, as the
 * download's own error had them.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, resolveOptions, type HourKey } from '@ghlake/core';
import { startMirror, type Mirror } from '../../../tools/mirror/server.js';
import { RUN_OPTIONS, runConfigFromOptions } from '../src/run-options.js';
import { createRealStages } from '../src/real-stages.js';
import type { DownloadedHour } from '../src/stages.js';

const FAILING = '2015-01-01-0' as HourKey;
const ABSENT = '2015-01-01-1' as HourKey;
let work: string;
let mirror: Mirror;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'ghlake-stage-errors-'));
  await fs.mkdir(path.join(work, 'mirror'));
  mirror = await startMirror({ root: path.join(work, 'mirror'), faults: { [FAILING]: { status: { code: 503, times: 99 } } } });
});
afterAll(async () => {
  await mirror.close();
  await fs.rm(work, { recursive: true, force: true });
});

describe("the run's pool", () => {
  it('has no more workers than hours: a one-hour run loads the transform into one worker, not one per core', async () => {
    for (const [to, want] of [
      ['2015-01-01-0', 1],
      ['2015-01-01-5', 2],
    ] as const) {
      const options = resolveOptions(RUN_OPTIONS, { flags: { lake: path.join(work, 'lake'), threads: '2', from: '2015-01-01-0', to } });
      const stages = createRealStages(runConfigFromOptions(options, work));
      try {
        expect(stages.pool.options.maxThreads).toBe(want);
      } finally {
        await stages.pool.destroy();
      }
    }
  });
});

describe('errors across the run', () => {
  it('a failed and a missing hour reach the run with retryable, details and cause intact', async () => {
    const options = resolveOptions(RUN_OPTIONS, {
      flags: { lake: path.join(work, 'lake'), 'base-url': mirror.url, retries: '1', 'retry-delay': '1ms', threads: '1', from: FAILING, to: ABSENT },
    });
    const stages = createRealStages(runConfigFromOptions(options, work));
    const done: DownloadedHour[] = [];
    try {
      await stages.download([FAILING, ABSENT], {
        signal: new AbortController().signal,
        reverify: false,
        checkGzip: false,
        rangeHasData: true,
        onBytes: () => {},
        onHourDone: (h) => done.push(h),
      });
    } finally {
      await stages.pool.destroy();
    }
    const byHour = new Map(done.map((h) => [h.hour, h]));
    expect(byHour.get(FAILING)).toMatchObject({
      status: 'failed',
      error: {
        code: ERROR_CODES.HTTP_STATUS,
        message: `HTTP 503 from ${mirror.url}/2015-01-01-0.json.gz (gave up after 2 attempts)`,
        retryable: true,
        details: { url: `${mirror.url}/2015-01-01-0.json.gz`, status: 503 },
      },
    });
    expect(byHour.get(ABSENT)).toMatchObject({
      status: 'missing',
      error: { code: ERROR_CODES.HOUR_MISSING, retryable: false, details: { hour: ABSENT, url: `${mirror.url}/2015-01-01-1.json.gz` } },
    });
  });
});
