/**
 * `downloadCommand` in-process, the way packages/pipeline's `main` runs it (a thrown error
 * becomes `formatErrorForUser` on stderr and `exitCodeFor` as the exit code), so exit codes,
 * output and option resolution are checked without starting a process per case
 * (cli.test.ts runs the real binary for the acceptance, SIGKILL and Ctrl-C).
 */
import { existsSync, promises as fs, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rawMetaPath, type HourKey } from '@ghlake/core';
import type { DownloadSummary } from '../src/index.js';
import { download, listFiles, mirrorRoot, REAL, smallHour, startMirror, tempDir, type Mirror } from './helpers.js';

const FAST = ['--retry-delay', '5ms', '--retry-max-delay', '50ms'];
let mirror: Mirror | undefined;
afterEach(async () => {
  await mirror?.close();
  mirror = undefined;
});

describe('ghlake download: outcomes and exit codes', () => {
  it('exits 1 when an hour failed, listing it with its reason and hint; the other hours still download', async () => {
    const root = await mirrorRoot({ '2015-01-01-0': REAL['2015-01-01-0'].file, '2015-01-01-1': smallHour(10) });
    mirror = await startMirror({ root, faults: { '2015-01-01-1': { status: { code: 502 } } } });
    const lake = tempDir('lake');
    const run = await download(['--from', '2015-01-01-0', '--to', '2015-01-01-1', '--base-url', mirror.url, '--lake', lake, '--retries', '2', ...FAST]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('  downloaded     1  2.62 MB at ');
    expect(run.stdout).toContain(
      `  failed         1\n               2015-01-01-1: GHLAKE_HTTP_STATUS HTTP 502 from ${mirror.url}/2015-01-01-1.json.gz (gave up after 3 attempts)\n                 hint: the server is overloaded or failing; it is retried with backoff\n`,
    );
    expect(run.stderr).toMatch(/warn {2}2015-01-01-1 attempt 1 failed \(HTTP 502 from .+\); retrying in \d+ms\n/);
    expect(existsSync(rawMetaPath(lake, '2015-01-01-0' as HourKey))).toBe(true);
  });

  it('reads GHLAKE_* environment variables, flags win over them, relative lakes resolve against the working folder', async () => {
    mirror = await startMirror({ root: await mirrorRoot({ '2015-01-01-3': smallHour(5) }) });
    const cwd = tempDir('cwd');
    const run = await download(['--json', '--concurrency', '1'], {
      cwd,
      env: { GHLAKE_BASE_URL: mirror.url, GHLAKE_LAKE: 'my-lake', GHLAKE_FROM: '2015-01-01-3', GHLAKE_CONCURRENCY: '9' },
    });
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as DownloadSummary;
    expect(summary).toMatchObject({ hoursTotal: 1, downloaded: 1, baseUrl: mirror.url, lake: path.join(cwd, 'my-lake') });
    expect(existsSync(path.join(cwd, 'my-lake', 'raw', 'date=2015-01-01', '2015-01-01-3.json.gz'))).toBe(true);
  });

  it('a base URL that refuses connections: exit 1 at once, one reason for every hour, no retries', async () => {
    const lake = tempDir('lake');
    const run = await download(['--date', '2015-01-01', '--base-url', 'http://127.0.0.1:9', '--lake', lake, '--json']);
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout) as DownloadSummary;
    expect(json.failed).toHaveLength(24);
    expect(new Set(json.failed.map((f) => `${f.code} ${f.message}`))).toEqual(
      new Set(['GHLAKE_CONNECTION nothing answers at http://127.0.0.1:9: connection refused (ECONNREFUSED)']),
    );
    expect(json.retries).toBe(0);
    expect(json.attempts).toBeLessThanOrEqual(4);
    // stderr: the error once, then a back-reference per hour.
    expect(run.stderr.match(/nothing answers/g)).toHaveLength(1);
    expect(run.stderr.match(/failed: same error as 2015-01-01-\d+/g)).toHaveLength(23);
    const text = await download(['--date', '2015-01-01', '--base-url', 'http://127.0.0.1:9', '--lake', lake]);
    expect(text.stdout.split('\n').slice(-4)).toEqual([
      '  failed        24',
      '               2015-01-01-0 … 2015-01-01-23: GHLAKE_CONNECTION nothing answers at http://127.0.0.1:9: connection refused (ECONNREFUSED)',
      '                 hint: check --base-url (or GHLAKE_BASE_URL) and your network; for a local mirror, start it first (npm run mirror -w @ghlake/tools)',
      '',
    ]);
  });

  it('Ctrl-C (the abort signal): returns 130 with what finished so far', async () => {
    mirror = await startMirror({ root: await mirrorRoot({ '2015-01-01-15': REAL['2015-01-01-15'].file }), faults: { '*': { bytesPerSecond: 500_000 } } });
    const controller = new AbortController();
    const lake = tempDir('lake');
    const pending = download(['--from', '2015-01-01-15', '--base-url', mirror.url, '--lake', lake], { signal: controller.signal });
    while (!mirror.requests.some((r) => r.bytesSent > 50_000)) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const run = await pending;
    expect(run.code).toBe(130);
    expect(run.stdout).toMatch(/^download interrupted: 1 hour \(2015-01-01-15\)/);
    // Nothing that looks complete; at most the bytes so far, kept for the next run (resume-across-runs.test.ts).
    expect((await listFiles(lake)).filter((f) => !path.basename(f).startsWith('.partial-2015-01-01-15.json.gz'))).toEqual([]);
  });
});

const notAFolder = path.join(tempDir('unwritable'), 'not-a-folder');
writeFileSync(notAFolder, 'x');

describe('ghlake download: bad input gets one clear error, exit 2, and touches nothing', () => {
  const cases: [string, string[], string][] = [
    [
      'an unknown flag',
      ['--from', '2015-01-01-0', '--verfy'],
      "error GHLAKE_UNKNOWN_OPTION: unknown option '--verfy'\n  hint: did you mean --verify? see --help",
    ],
    [
      'a malformed hour',
      ['--from', '2015-13-01-5'],
      "error GHLAKE_INVALID_HOUR: invalid hour '2015-13-01-5': month 13 is not 1-12\n  hint: write hours as YYYY-MM-DD-H, YYYY-MM-DDTHH or a full ISO timestamp such as 2015-01-01T15:00:00Z",
    ],
    [
      '--to before --from',
      ['--from', '2015-01-01-5', '--to', '2015-01-01-2'],
      'error GHLAKE_INVALID_RANGE: --to 2015-01-01-2 is before --from 2015-01-01-5\n  hint: swap the two hours, or give --to an hour at or after --from',
    ],
    ['no hours at all', [], 'error GHLAKE_USAGE: no hours to download\n  hint: give --from YYYY-MM-DD-H (and --to YYYY-MM-DD-H) or --date YYYY-MM-DD'],
    [
      '--date with --from',
      ['--date', '2015-01-01', '--from', '2015-01-01-3'],
      'error GHLAKE_USAGE: --date cannot be combined with --from/--to\n  hint: use either --date YYYY-MM-DD or --from H --to H',
    ],
    [
      'a bad duration',
      ['--from', '2015-01-01-0', '--body-timeout', '5 minutes'],
      "error GHLAKE_INVALID_OPTION: --body-timeout has invalid value '5 minutes': expected a duration such as 500ms, 30s or 2m (at least 1.00s)\n  hint: give --body-timeout a duration such as 500ms, 30s or 2m (at least 1.00s)",
    ],
    [
      'a body timeout undici cannot enforce',
      ['--from', '2015-01-01-0', '--body-timeout', '20ms'],
      "error GHLAKE_INVALID_OPTION: --body-timeout has invalid value '20ms': expected a duration such as 500ms, 30s or 2m (at least 1.00s)\n  hint: give --body-timeout a duration such as 500ms, 30s or 2m (at least 1.00s)",
    ],
    [
      'zero concurrency',
      ['--from', '2015-01-01-0', '--concurrency', '0'],
      "error GHLAKE_INVALID_OPTION: --concurrency has invalid value '0': expected an integer from 1 to 64\n  hint: give --concurrency an integer from 1 to 64",
    ],
    [
      'a base URL that is not http',
      ['--from', '2015-01-01-0', '--base-url', 'ftp://data.gharchive.org'],
      "error GHLAKE_INVALID_OPTION: --base-url has invalid value 'ftp://data.gharchive.org': expected an http(s) URL\n  hint: give --base-url an http(s) URL",
    ],
    [
      'an hour before the archive',
      ['--date', '2010-01-01'],
      "error GHLAKE_INVALID_RANGE: 2010-01-01-0 is before GH Archive's first hour 2011-02-12-0\n  hint: start the range at 2011-02-12-0 or later",
    ],
    [
      'an unwritable lake (a path through a regular file)',
      ['--from', '2015-01-01-0', '--lake', path.join(notAFolder, 'lake')],
      `error GHLAKE_LAKE_NOT_WRITABLE: cannot write to the lake ${path.join(notAFolder, 'lake')}: ENOTDIR: not a directory, mkdir '${path.join(notAFolder, 'lake', 'raw')}'\n  hint: give --lake (or GHLAKE_LAKE) a folder you can write to; it is created if absent`,
    ],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const cwd = tempDir('cwd');
    const run = await download([...args, '--base-url', 'http://127.0.0.1:9'].slice(0, args.includes('--base-url') ? args.length : undefined), { cwd });
    expect(run).toEqual({ code: 2, stdout: '', stderr: `${message}\n` });
    expect(await fs.readdir(cwd)).toEqual([]); // no ./lake created
  });
});
