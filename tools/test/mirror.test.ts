/**
 * The local GH Archive mirror: what it serves and how each injected fault looks on the wire,
 * seen by a plain node:http client (the download stage's tests use undici against it).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, promises as fs, readFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GHARCHIVE_FIXTURES } from '../../packages/core/test/fixtures/gharchive.js';
import { parseFaults } from '../mirror/faults.js';
import { startMirror, type Mirror } from '../mirror/server.js';

const HOUR0 = readFileSync(GHARCHIVE_FIXTURES.hour2015_01_01_0); // 2,615,399 bytes
const HOUR15 = readFileSync(GHARCHIVE_FIXTURES.hour2015_01_01_15); // 3,700,037 bytes
const SMALL = readFileSync(GHARCHIVE_FIXTURES.head2021[0]!); // 2021-07-21-6, first 200 lines

let mirror: Mirror | undefined;
afterEach(async () => {
  await mirror?.close();
  mirror = undefined;
});

/** A root with one hour in each supported layout: flat, date=*, and a lake's raw/date=*. */
async function root(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ghlake-mirror-'));
  await fs.writeFile(path.join(dir, '2015-01-01-0.json.gz'), HOUR0);
  await fs.mkdir(path.join(dir, 'date=2015-01-01'));
  await fs.writeFile(path.join(dir, 'date=2015-01-01', '2015-01-01-15.json.gz'), HOUR15);
  await fs.mkdir(path.join(dir, 'raw', 'date=2021-07-21'), { recursive: true });
  await fs.writeFile(path.join(dir, 'raw', 'date=2021-07-21', '2021-07-21-6.json.gz'), SMALL);
  return dir;
}

interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Set when the response broke off (reset, short body). */
  error?: string;
}

function get(url: string, method = 'GET', headers: http.OutgoingHttpHeaders = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    let response: http.IncomingMessage | undefined;
    const chunks: Buffer[] = [];
    const finish = (error?: string) =>
      resolve({ status: response?.statusCode ?? 0, headers: response?.headers ?? {}, body: Buffer.concat(chunks), ...(error ? { error } : {}) });
    const req = http.request(url, { method, agent: false, headers }, (res) => {
      response = res;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish());
      res.on('error', (e: NodeJS.ErrnoException) => finish(e.code ?? e.message));
      res.on('aborted', () => finish('aborted'));
    });
    // A reset can arrive before the response is parsed: still an answer, with the error.
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? finish(e.code) : reject(e)));
    req.end();
  });
}

describe('the mirror serves GH Archive paths', () => {
  it('serves each layout byte-identical with Content-Length; HEAD has headers only', async () => {
    mirror = await startMirror({ root: await root() });
    const flat = await get(`${mirror.url}/2015-01-01-0.json.gz`);
    expect(flat.status).toBe(200);
    expect(flat.headers['content-length']).toBe('2615399');
    expect(flat.headers['content-type']).toBe('application/gzip');
    expect(flat.body.equals(HOUR0)).toBe(true);
    expect((await get(`${mirror.url}/2015-01-01-15.json.gz`)).body.equals(HOUR15)).toBe(true);
    expect((await get(`${mirror.url}/2021-07-21-6.json.gz`)).body.equals(SMALL)).toBe(true);
    const head = await get(`${mirror.url}/2015-01-01-15.json.gz`, 'HEAD');
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, '3700037', 0]);
    expect(mirror.requests.map((r) => [r.method, r.path, r.n, r.status, r.bytesSent])).toEqual([
      ['GET', '/2015-01-01-0.json.gz', 1, 200, 2_615_399],
      ['GET', '/2015-01-01-15.json.gz', 1, 200, 3_700_037],
      ['GET', '/2021-07-21-6.json.gz', 1, 200, SMALL.length],
      ['HEAD', '/2015-01-01-15.json.gz', 2, 200, 0],
    ]);
  });

  it('answers 404 for absent hours, zero-padded names and other paths; 405 for other methods', async () => {
    mirror = await startMirror({ root: await root() });
    expect((await get(`${mirror.url}/2015-01-01-1.json.gz`)).status).toBe(404);
    expect((await get(`${mirror.url}/2015-01-01-00.json.gz`)).status).toBe(404); // GH Archive never pads the hour
    expect((await get(`${mirror.url}/../../etc/passwd`)).status).toBe(404);
    expect((await get(`${mirror.url}/`)).status).toBe(404);
    expect((await get(`${mirror.url}/2015-01-01-0.json.gz`, 'POST')).status).toBe(405);
  });

  it('listens on loopback only and needs an existing root', async () => {
    await expect(startMirror({ root: await root(), host: '0.0.0.0' })).rejects.toThrow(
      "the mirror listens on loopback only (127.0.0.1, ::1 or localhost), not '0.0.0.0'",
    );
    await expect(startMirror({ root: '/nonexistent/ghlake' })).rejects.toThrow("mirror root '/nonexistent/ghlake' is not a folder");
  });
});

describe('fault injection', () => {
  it('status for the first N requests (with Retry-After), then the file', async () => {
    mirror = await startMirror({ root: await root(), faults: { '2015-01-01-0': { status: { code: 429, times: 2, retryAfter: '3' } } } });
    const first = await get(`${mirror.url}/2015-01-01-0.json.gz`);
    expect([first.status, first.headers['retry-after']]).toEqual([429, '3']);
    expect((await get(`${mirror.url}/2015-01-01-0.json.gz`)).status).toBe(429);
    expect((await get(`${mirror.url}/2015-01-01-0.json.gz`)).body.equals(HOUR0)).toBe(true);
    expect(mirror.requestsFor('2015-01-01-0').map((r) => [r.n, r.status, r.fault])).toEqual([
      [1, 429, 'status 429'],
      [2, 429, 'status 429'],
      [3, 200, undefined],
    ]);
  });

  it('redirect: a 302 to the same file under another base URL', async () => {
    mirror = await startMirror({ root: await root(), faults: { '2015-01-01-0': { redirect: { to: 'http://127.0.0.1:9/mirror/', times: 1 } } } });
    const moved = await get(`${mirror.url}/2015-01-01-0.json.gz`);
    expect([moved.status, moved.headers.location]).toEqual([302, 'http://127.0.0.1:9/mirror/2015-01-01-0.json.gz']);
    expect((await get(`${mirror.url}/2015-01-01-0.json.gz`)).status).toBe(200);
  });

  it('missing: 404 although the file exists', async () => {
    mirror = await startMirror({ root: await root(), faults: { '2015-01-01-15.json.gz': { missing: true } } });
    expect((await get(`${mirror.url}/2015-01-01-15.json.gz`)).status).toBe(404);
  });

  it('reset: the connection dies after N bytes', async () => {
    mirror = await startMirror({ root: await root(), faults: { '2015-01-01-0': { reset: { afterBytes: 500_000 } } } });
    const got = await get(`${mirror.url}/2015-01-01-0.json.gz`);
    expect(got.error).toBeDefined();
    expect(got.body.length).toBeLessThanOrEqual(500_000);
    expect(mirror.requests[0]).toMatchObject({ bytesSent: 500_000, completed: false, fault: 'reset@500000' });
  });

  it('truncate: a clean close short of the announced length, or a length-less body that just ends', async () => {
    mirror = await startMirror({
      root: await root(),
      faults: { '2015-01-01-0': { truncate: { afterBytes: 300_000 } }, '2015-01-01-15': { truncate: { afterBytes: 300_000, contentLength: false } } },
    });
    const announced = await get(`${mirror.url}/2015-01-01-0.json.gz`);
    expect(announced.headers['content-length']).toBe('2615399');
    expect(['aborted', 'ECONNRESET']).toContain(announced.error); // node:http's words for "closed before the end"
    expect(announced.body.equals(HOUR0.subarray(0, 300_000))).toBe(true);
    const lengthless = await get(`${mirror.url}/2015-01-01-15.json.gz`);
    expect(lengthless.headers['content-length']).toBeUndefined();
    expect(lengthless.headers['transfer-encoding']).toBeUndefined();
    expect(lengthless.error).toBeUndefined();
    expect(lengthless.body.equals(HOUR15.subarray(0, 300_000))).toBe(true);
  });

  it('corrupt: exactly the chosen bytes are flipped, the length is unchanged', async () => {
    mirror = await startMirror({ root: await root(), faults: { '*': { corrupt: { offset: 1_000_000, length: 4, times: 1 } } } });
    const bad = await get(`${mirror.url}/2015-01-01-0.json.gz`);
    expect(bad.body.length).toBe(2_615_399);
    const differing = [...bad.body.keys()].filter((i) => bad.body[i] !== HOUR0[i]);
    expect(differing).toEqual([1_000_000, 1_000_001, 1_000_002, 1_000_003]);
    expect(differing.every((i) => bad.body[i] === (HOUR0[i]! ^ 0xff))).toBe(true);
    expect((await get(`${mirror.url}/2015-01-01-0.json.gz`)).body.equals(HOUR0)).toBe(true);
  });

  it("slow bodies still arrive whole; a file's own faults merge over '*'", async () => {
    mirror = await startMirror({ root: await root(), faults: { '*': { bytesPerSecond: 4_000_000 }, '2021-07-21-6': { status: { code: 500, times: 1 } } } });
    expect((await get(`${mirror.url}/2021-07-21-6.json.gz`)).status).toBe(500);
    const slow = await get(`${mirror.url}/2021-07-21-6.json.gz`);
    expect(slow.body.equals(SMALL)).toBe(true);
    expect(mirror.requests.map((r) => r.fault)).toEqual(['status 500, slow 4000000B/s', 'slow 4000000B/s']);
  });

  it('validates a faults file with a message naming the mistake', () => {
    expect(() => parseFaults({ '2015-01-01-0': { resett: {} } }, 'faults.json')).toThrow("faults.json.2015-01-01-0: unknown fault 'resett'");
    expect(() => parseFaults({ yesterday: {} }, 'faults.json')).toThrow("faults.json: key 'yesterday' is not an hour");
    expect(parseFaults({ '*': { bytesPerSecond: 1000 } })).toEqual({ '*': { bytesPerSecond: 1000 } });
  });
});

describe('byte ranges (resumed downloads)', () => {
  it('answers bytes=N- and bytes=N-M with 206 and exactly those bytes; a stale If-Range gets the whole file; a range past the end 416', async () => {
    mirror = await startMirror({ root: await root() });
    const url = `${mirror.url}/2015-01-01-0.json.gz`;
    const whole = await get(url);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    const etag = whole.headers.etag!;
    const tail = await get(url, 'GET', { range: 'bytes=2000000-', 'if-range': etag });
    expect([tail.status, tail.headers['content-range'], tail.headers['content-length']]).toEqual([206, 'bytes 2000000-2615398/2615399', '615399']);
    expect(tail.body.equals(HOUR0.subarray(2_000_000))).toBe(true);
    const mid = await get(url, 'GET', { range: 'bytes=10-19', 'if-range': whole.headers['last-modified']! });
    expect([mid.status, mid.headers['content-range']]).toEqual([206, 'bytes 10-19/2615399']);
    expect(mid.body.equals(HOUR0.subarray(10, 20))).toBe(true);
    const stale = await get(url, 'GET', { range: 'bytes=2000000-', 'if-range': '"another-version"' });
    expect([stale.status, stale.body.length]).toEqual([200, 2_615_399]);
    const past = await get(url, 'GET', { range: 'bytes=2615399-' });
    expect([past.status, past.headers['content-range']]).toEqual([416, 'bytes */2615399']);
    expect(mirror.requests.map((r) => [r.status, r.range ?? null])).toEqual([
      [200, null],
      [206, 'bytes=2000000-'],
      [206, 'bytes=10-19'],
      [200, 'bytes=2000000-'],
      [416, 'bytes=2615399-'],
    ]);
  });

  it('reset and truncate cut at a file offset, so a transfer resumed past it gets nothing; noRanges answers 200 with everything', async () => {
    mirror = await startMirror({ root: await root(), faults: { '2015-01-01-0': { reset: { afterBytes: 500_000 } }, '2015-01-01-15': { noRanges: true } } });
    const before = await get(`${mirror.url}/2015-01-01-0.json.gz`, 'GET', { range: 'bytes=400000-' });
    expect(before.status).toBe(206);
    // The server sends exactly up to the cut; the client may lose unread bytes to the RST.
    expect(mirror.requests[0]).toMatchObject({ status: 206, bytesSent: 100_000, completed: false });
    expect(before.body.length).toBeLessThanOrEqual(100_000);
    expect(before.body.equals(HOUR0.subarray(400_000, 400_000 + before.body.length))).toBe(true);
    expect(before.error).toBeDefined();
    const past = await get(`${mirror.url}/2015-01-01-0.json.gz`, 'GET', { range: 'bytes=600000-' });
    expect([past.status, past.body.length]).toEqual([206, 0]);
    expect(past.error).toBeDefined();
    const ignored = await get(`${mirror.url}/2015-01-01-15.json.gz`, 'GET', { range: 'bytes=100-' });
    expect([ignored.status, ignored.headers['accept-ranges'], ignored.body.length]).toEqual([200, undefined, 3_700_037]);
    expect(mirror.requests[2]).toMatchObject({ fault: 'no ranges', range: 'bytes=100-' });
    mirror.setFaults({ '2015-01-01-15': { ignoreIfRange: true } });
    const broken = await get(`${mirror.url}/2015-01-01-15.json.gz`, 'GET', { range: 'bytes=100-', 'if-range': '"another-version"' });
    expect([broken.status, broken.headers['content-range']]).toEqual([206, 'bytes 100-3700036/3700037']);
    expect(mirror.requests[3]).toMatchObject({ fault: 'ignores If-Range' });
  });
});

describe('mirror CLI', () => {
  const CLI = path.resolve(import.meta.dirname, '../mirror/cli.ts');
  it('serves a folder until SIGTERM; refuses a non-loopback host with exit 2', async () => {
    const dir = await root();
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--root', dir, '--port', '0', '--bytes-per-second', '50000000'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const end = Date.now() + 60_000;
    while (!/at (http:\/\/\S+)/.test(out) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const url = /at (http:\/\/\S+)/.exec(out)![1]!;
    expect(out).toBe(`mirror serving ${dir} at ${url}\n`);
    expect((await get(`${url}/2015-01-01-15.json.gz`)).body.equals(HOUR15)).toBe(true);
    // The request is logged when the server sees the response close, which can be just after the
    // client has the whole body: wait for the line, not a fixed time, before stopping the server.
    const logged = Date.now() + 30_000;
    while (!err.includes('\n') && Date.now() < logged) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGTERM');
    expect(await exited, err).toBe(0);
    expect(err).toMatch(/^\d\d:\d\d:\d\d GET \/2015-01-01-15\.json\.gz 200 3700037B \[slow 50000000B\/s\]\n$/);

    const refused = spawn(process.execPath, ['--import', 'tsx', CLI, '--root', dir, '--host', '0.0.0.0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let refusedErr = '';
    refused.stderr.on('data', (d: Buffer) => (refusedErr += d));
    expect(await new Promise((resolve) => refused.on('close', resolve))).toBe(2);
    expect(refusedErr.split('\n')[0]).toBe("mirror: the mirror listens on loopback only (127.0.0.1, ::1 or localhost), not '0.0.0.0'");
  });
});
