/**
 * Small sharp edges, each by mechanism: a closed pipe ends output quietly (exit 0); every
 * option value starting with a dash or missing gets ghlake's own message; `--lake` naming a file
 * is the same usage error from every command; status names the source of its missing hours and
 * says "1 hour"; help shows defaults as typed, ends with two examples and the exit codes;
 * `ghlake --version` and `ghlake help <command>`.
 */
import { execFile } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GhlakeError, parseCommandLine, resolveOptions, type HourKey, type OptionsSpec } from '@ghlake/core';
import { UPLOAD_OPTIONS } from '@ghlake/storage';
import { QUERY_COMMAND_OPTIONS } from '../../gold/src/query-command.js';
import { main } from '../src/cli.js';
import { COMMANDS } from '../src/commands.js';
import { RUN_OPTIONS } from '../src/run-options.js';
import { formatStatus } from '../src/status-command.js';
import type { LakeStatus } from '../src/lake-status.js';
import { GHLAKE_BIN } from './helpers/ghlake-process.js';

async function runMain(argv: string[], env: Record<string, string> = {}, cwd = process.cwd()) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(argv, { stdout, stderr, env, signal: new AbortController().signal, cwd });
  return { code, stdout: out, stderr: err };
}

let work: string;
beforeAll(async () => {
  work = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-edges-'));
});
afterAll(async () => fs.rm(work, { recursive: true, force: true }));

describe('a closed pipe ends the output quietly with exit 0', () => {
  it.each([
    ['status over three days | head -2', (lake: string) => `status --lake ${lake} --from 2015-01-01-0 --to 2015-01-03-23 | head -2`],
    ['snowflake setup --dry-run | head -1', () => 'snowflake setup --dry-run --bucket my-bucket | head -1'],
  ])('%s', async (_name, command) => {
    const lake = path.join(work, 'empty-lake');
    await fs.mkdir(lake, { recursive: true });
    const script = `set -o pipefail; "${process.execPath}" "${GHLAKE_BIN}" ${command(lake)}`;
    const { stdout, stderr } = await promisify(execFile)('bash', ['-c', script], { env: { ...process.env, SNOWFLAKE_ACCOUNT: 'a', SNOWFLAKE_USER: 'u' } });
    expect(stdout.length).toBeGreaterThan(0);
    expect(stderr).toBe(''); // no EPIPE, no stack trace; pipefail: ghlake itself exited 0
  });
});

describe('option values get ghlake’s own messages', () => {
  const specs: [string, OptionsSpec][] = [
    ['run', RUN_OPTIONS],
    ['upload', UPLOAD_OPTIONS],
    ['query', QUERY_COMMAND_OPTIONS],
  ];
  it('every option given -1 either takes it or says what it expects, naming itself', () => {
    const told: string[] = [];
    for (const [, spec] of specs)
      for (const s of Object.values(spec)) {
        if (s.boolean) continue;
        try {
          resolveOptions(spec, { flags: parseCommandLine([`--${s.flag}`, '-1'], spec, { allowPositionals: true }).flags, env: {} });
        } catch (error) {
          expect(error).toBeInstanceOf(GhlakeError);
          expect((error as Error).message.startsWith(`--${s.flag} has invalid value '-1': expected `), (error as Error).message).toBe(true);
          told.push(s.flag);
        }
      }
    expect(told).toEqual(
      expect.arrayContaining(['threads', 'concurrency', 'retries', 'retry-time', 'memory-limit', 'worker-heap-mb', 'part-size', 'max-rows']),
    );
  });

  it('an option without its value says what it expects (also a short one), never Node’s parser text', async () => {
    expect((await runMain(['run', '--threads', '-1'])).stderr).toBe(
      "error GHLAKE_INVALID_OPTION: --threads has invalid value '-1': expected an integer from 1 to 256\n  hint: give --threads an integer from 1 to 256\n",
    );
    expect((await runMain(['run', '--threads'])).stderr).toMatch(/^error GHLAKE_INVALID_OPTION: --threads needs a value: expected an integer from 1 to 256\n/);
    expect((await runMain(['run', '--retry-time', '--force'])).stderr).toMatch(/^error GHLAKE_INVALID_OPTION: --retry-time needs a value: expected a duration/);
    const short = await runMain(['query', '-f']);
    expect([short.code, short.stderr.split('\n')[0]]).toEqual([2, 'error GHLAKE_INVALID_OPTION: --file needs a value']);
  });
});

describe('--lake naming a file', () => {
  it('is the same usage error (exit 2, one message) from every command', async () => {
    const file = path.join(work, 'not-a-lake.txt');
    await fs.writeFile(file, 'x');
    const expected = `error GHLAKE_INVALID_OPTION: --lake has invalid value '${file}': expected a lake folder, not a file`;
    for (const argv of [
      ['download', '--date', '2015-01-01'],
      ['bronze', '--date', '2015-01-01'],
      ['silver', '--date', '2015-01-01'],
      ['gold'],
      ['run'],
      ['status'],
      ['query', 'select 1'],
      ['upload', '--bucket', 'b'],
      ['snowflake', 'load', '--bucket', 'b'],
    ]) {
      const r = await runMain([...argv, '--lake', file]);
      expect({ argv, code: r.code, first: r.stderr.split('\n')[0] }).toEqual({ argv, code: 2, first: expected });
    }
    const fromEnv = await runMain(['status'], { GHLAKE_LAKE: file });
    expect([fromEnv.code, fromEnv.stderr.split('\n')[0]]).toEqual([
      2,
      `error GHLAKE_INVALID_OPTION: GHLAKE_LAKE has invalid value '${file}': expected a lake folder, not a file`,
    ]);
  });
});

describe('status wording', () => {
  it('names the source of the missing hours and says "1 hour"', () => {
    const hour = (h: string) => h as HourKey;
    const status: LakeStatus = {
      lake: '/lake',
      range: { from: hour('2015-01-01-3'), to: hour('2015-01-01-3'), hours: 1 },
      hours: [
        {
          hour: hour('2015-01-01-3'),
          state: 'missing',
          error: { stage: 'download', code: 'GHLAKE_HOUR_MISSING', message: '2015-01-01-3: HTTP 404 at http://127.0.0.1:8080' },
        },
      ],
      counts: { missing: 1 },
      events: 0,
      silverEvents: 0,
      quarantined: 0,
      quarantinedByReason: {},
      missing: [hour('2015-01-01-3')],
      failed: [],
      gaps: [{ from: hour('2015-01-01-3'), to: hour('2015-01-01-3'), hours: 1, states: ['missing'] }],
      gold: { version: '0000000001', builtAt: '2026-01-01T00:00:00Z', hours: 1, current: true, staged: 0 },
      lock: null,
    };
    const text = formatStatus(status);
    expect(text).toContain('range       2015-01-01-3 .. 2015-01-01-3 (1 hour)');
    expect(text).toContain('missing     1 (HTTP 404 at http://127.0.0.1:8080): 2015-01-01-3');
    expect(text).toContain('from 1 hour — current');
    expect(text).not.toMatch(/\b1 hours\b/);
    expect(text).not.toContain('GH Archive');
  });
});

describe('help and version', () => {
  it("every command's help shows defaults as they are typed and ends with two examples and the exit codes", async () => {
    for (const entry of COMMANDS) {
      const r = await runMain([entry.name, '--help']);
      expect(r.code).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines.slice(-6), entry.name).toEqual(
        [
          'examples:',
          `  ${entry.examples[0]}`,
          `  ${entry.examples[1]}`,
          '',
          `exit codes: 0 done; 1 ${entry.failure}; 2 usage error (one line naming the problem); 130 interrupted`,
        ].reduce<string[]>((a, l) => [...a, l], ['']),
      );
      expect(
        lines.filter((l) => l === 'examples:'),
        entry.name,
      ).toHaveLength(1);
      expect(await runMain(['help', entry.name])).toEqual(r);
    }
    const run = (await runMain(['run', '--help'])).stdout;
    for (const shown of ['default 2m)', 'default 1s)', 'default 30s)', 'default 2GB)', 'default 1024)', 'default 4)']) expect(run).toContain(shown);
    expect((await runMain(['upload', '--help'])).stdout).toContain('default 16MiB)');
  });

  it('ghlake --version prints the package version', async () => {
    const version = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '..', 'package.json'), 'utf8')).version as string;
    expect(await runMain(['--version'])).toEqual({ code: 0, stdout: `ghlake ${version}\n`, stderr: '' });
  });
});
