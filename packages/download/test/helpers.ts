/**
 * Shared test setup: temporary lakes and mirror roots, small real hours, a config with
 * test-sized backoff (milliseconds, not seconds) and the local mirror from tools/.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, promises as fs, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync, gunzipSync } from 'node:zlib';
import { exitCodeFor, formatErrorForUser, type HourKey } from '@ghlake/core';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';
import { downloadCommand, downloadConfig, type DownloadConfig } from '../src/index.js';

export { startMirror, type Mirror } from '../../../tools/mirror/server.js';
export { GHARCHIVE_FIXTURES };

/** The two real 2015 hours: size and sha256 as measured with stat and sha256sum, lines with gzip -dc | wc. */
export const REAL = {
  '2015-01-01-0': {
    file: GHARCHIVE_FIXTURES.hour2015_01_01_0,
    size: 2_615_399,
    sha256: 'a007aec0e8583d84ce5f3f77688e72e6c158fff384c98f301e3093dbb77e1498',
    uncompressed: 17_796_843,
    lines: 7_702,
  },
  '2015-01-01-15': {
    file: GHARCHIVE_FIXTURES.hour2015_01_01_15,
    size: 3_700_037,
    sha256: '54feca99896fa3ec09c145819731e4cd5b40a84eecef26da672080633e840a4c',
    uncompressed: 25_837_379,
    lines: 11_351,
  },
} as const;

/**
 * A mirror rate for bodies cut by a reset: sent at a pace (in 64 KiB pieces) rather than in one
 * burst, because a TCP RST makes the kernel drop what the client has not read yet, and a burst
 * could all still be unread — leaving nothing to resume from, however the client behaves.
 */
export const PACED = 20_000_000;

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `ghlake-dl-${prefix}-`));
}

let realLines: string[] | undefined;
/** A small valid hour: `count` real events from 2015-01-01-0, starting at `offset`, gzipped. */
export function smallHour(count: number, offset = 0): Buffer {
  realLines ??= gunzipSync(readFileSync(REAL['2015-01-01-0'].file)).toString('utf8').split('\n');
  return gzipSync(`${realLines.slice(offset, offset + count).join('\n')}\n`);
}

/** A mirror root holding the given hours: real fixture paths are copied, buffers written. */
export async function mirrorRoot(hours: Record<string, string | Uint8Array>): Promise<string> {
  const root = tempDir('mirror');
  for (const [hour, content] of Object.entries(hours)) {
    const target = path.join(root, `${hour}.json.gz`);
    if (typeof content === 'string') await fs.copyFile(content, target);
    else await fs.writeFile(target, content);
  }
  return root;
}

/** Runner config for tests: fast backoff so retries cost milliseconds. */
export function testConfig(lake: string, baseUrl: string, overrides: Partial<DownloadConfig> = {}): DownloadConfig {
  return downloadConfig({
    lake,
    baseUrl,
    concurrency: 4,
    retries: 3,
    retryDelayMs: 5,
    retryMaxDelayMs: 50,
    retryTimeMs: 20_000,
    connectTimeoutMs: 5_000,
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 10_000,
    ...overrides,
  });
}

/** Every file below dir, relative, sorted (to assert nothing else was left behind). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else out.push(path.relative(dir, full));
    }
  };
  await walk(dir);
  return out.sort();
}

export const hours = (...keys: string[]): HourKey[] => keys as HourKey[];

function sink() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d));
  return { stream, text: () => text };
}

/**
 * What `ghlake download <args>` does, minus the process: packages/pipeline's `main` turns a
 * thrown error into `formatErrorForUser` on stderr and `exitCodeFor` as the exit code.
 */
export async function download(args: string[], options: { env?: Record<string, string>; cwd?: string; signal?: AbortSignal } = {}) {
  const stdout = sink();
  const stderr = sink();
  let code: number;
  try {
    code = await downloadCommand.run({
      argv: args,
      env: options.env ?? {},
      stdout: stdout.stream,
      stderr: stderr.stream,
      signal: options.signal ?? new AbortController().signal,
      cwd: options.cwd ?? tempDir('cwd'),
    });
  } catch (error) {
    stderr.stream.write(`${formatErrorForUser(error)}\n`);
    code = exitCodeFor(error);
  }
  await new Promise((r) => setImmediate(r));
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** Hex sha256 of a file's bytes (the lake's file against the mirror's). */
export async function fileSha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');
}
