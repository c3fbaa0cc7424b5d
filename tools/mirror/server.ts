/**
 * A local GH Archive mirror: serves hour files under GH Archive's own URL paths
 * (`/2015-01-01-15.json.gz`) from a folder, for offline runs, tests and benchmarks, with
 * per-file fault injection (see faults.ts) to exercise every failure a download meets on the
 * real network. Single byte ranges (`Range: bytes=N-`, `bytes=N-M`, honoured only while
 * `If-Range` still matches) are answered with 206, as GH Archive's storage does, so resumed
 * downloads can be tested. Files may sit flat in the folder, in `date=YYYY-MM-DD/` folders, or in a
 * ghlake lake's `raw/date=YYYY-MM-DD/` layout. Loopback only.
 *
 *   const mirror = await startMirror({ root, faults: { '2015-01-01-3': { status: { code: 503, times: 2 } } } });
 *   // ... ghlake download --base-url mirror.url ...
 *   mirror.requests; // every request: path, n-th for its file, status, fault, bytes sent
 *   await mirror.close();
 */
import { once } from 'node:events';
import { createReadStream, promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeFaults, faultsFor, type FileFaults, type MirrorFaults } from './faults.js';

export interface MirrorOptions {
  /** Folder holding the hour files (flat, date=*, or a lake's raw/date=*). */
  root: string;
  faults?: MirrorFaults;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** A loopback address: 127.0.0.1 (default), ::1 or localhost. */
  host?: string;
  /** Called after each request has been answered (the CLI logs them). */
  onRequest?: (request: MirrorRequest) => void;
}

export interface MirrorRequest {
  method: string;
  path: string;
  /** The hour asked for, when the path is an hour file. */
  hour?: string;
  /** 1 for the first request of this file, 2 for the second ... */
  n: number;
  status: number;
  /** The faults injected into this response, e.g. `status 503` or `truncate@1000`. */
  fault?: string;
  /** The Range header asked for, when there was one (`bytes=1000-`). */
  range?: string;
  /** Body bytes written to the socket. */
  bytesSent: number;
  /** The whole response was sent (false when cut by a fault or by the client). */
  completed: boolean;
  startedAt: number;
}

export interface Mirror {
  /** `http://127.0.0.1:<port>`, to pass as --base-url. */
  url: string;
  port: number;
  /** Every request so far, in arrival order (entries complete as responses finish). */
  requests: MirrorRequest[];
  /** GET requests of one hour's file. */
  requestsFor(hour: string): MirrorRequest[];
  /** Replace the fault configuration (request counters keep counting). */
  setFaults(faults: MirrorFaults): void;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const HOUR_PATH = /^\/((\d{4}-\d{2}-\d{2})-(\d{1,2}))\.json\.gz$/;

/** Where the file of an hour is under root, in any of the supported layouts. */
export async function locateHourFile(root: string, hour: string): Promise<string | undefined> {
  const date = hour.slice(0, 10);
  const name = `${hour}.json.gz`;
  for (const candidate of [path.join(root, name), path.join(root, `date=${date}`, name), path.join(root, 'raw', `date=${date}`, name)]) {
    const stat = await fs.stat(candidate).catch(() => undefined);
    if (stat?.isFile()) return candidate;
  }
  return undefined;
}

function flip(chunk: Buffer, chunkOffset: number, corrupt: NonNullable<FileFaults['corrupt']>): Buffer {
  const start = corrupt.offset;
  const end = start + (corrupt.length ?? 16);
  if (end <= chunkOffset || start >= chunkOffset + chunk.length) return chunk;
  const copy = Buffer.from(chunk);
  for (let i = Math.max(start, chunkOffset); i < Math.min(end, chunkOffset + chunk.length); i++) copy[i - chunkOffset] = copy[i - chunkOffset]! ^ 0xff;
  return copy;
}

async function writePiece(res: http.ServerResponse, piece: Buffer): Promise<void> {
  if (res.write(piece)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Wait until everything written so far has left Node's buffers. */
async function flushed(res: http.ServerResponse): Promise<void> {
  await new Promise<void>((resolve) => res.write(Buffer.alloc(0), () => resolve()));
}

/**
 * Send the file's bytes [start, end) — the whole file, or the range asked for. A reset or
 * truncate fault cuts at a FILE offset (`afterBytes`): a transfer resumed past it gets nothing.
 */
async function sendBody(res: http.ServerResponse, file: string, start: number, end: number, faults: FileFaults, entry: MirrorRequest): Promise<void> {
  const cut = faults.reset?.afterBytes ?? faults.truncate?.afterBytes;
  const limit = Math.min(end, cut ?? end);
  const rate = faults.bytesPerSecond;
  // Slow bodies trickle in ~20 pieces a second, so gaps stay short at any rate.
  const slice = rate ? Math.max(1, Math.min(64 * 1024, Math.floor(rate / 20))) : Number.POSITIVE_INFINITY;
  const started = performance.now();
  let offset = start;
  if (limit > start) {
    for await (const raw of createReadStream(file, { start, end: limit - 1, highWaterMark: 64 * 1024 })) {
      const chunk = faults.corrupt ? flip(raw as Buffer, offset, faults.corrupt) : (raw as Buffer);
      offset += chunk.length;
      for (let i = 0; i < chunk.length; i += slice) {
        if (res.destroyed) return;
        const piece = chunk.subarray(i, i + slice);
        await writePiece(res, piece);
        entry.bytesSent += piece.length;
        if (rate) {
          const wait = started + (entry.bytesSent / rate) * 1000 - performance.now();
          if (wait > 0) await sleep(wait);
        }
      }
    }
  }
  if (res.destroyed) {
    // A client that has every byte may close first (it asked for `Connection: close`, or it counts
    // Content-Length): everything was sent, so the response is complete, not cut.
    if (!faults.reset && !faults.truncate && entry.bytesSent === end - start) entry.completed = true;
    return;
  }
  if (faults.reset) {
    await flushed(res);
    res.socket?.resetAndDestroy();
    return;
  }
  if (faults.truncate && faults.truncate.contentLength !== false) {
    await flushed(res);
    res.socket?.end(); // a clean FIN before the announced length: the client sees a short body
    return;
  }
  res.end();
  entry.completed = true;
}

/**
 * The byte range to send: undefined for the whole file (no Range, a Range we do not serve — several
 * ranges, suffix ranges — or an If-Range that no longer matches: the file changed, so all of it).
 */
function requestedRange(
  range: string | undefined,
  ifRange: string | undefined,
  etag: string,
  stat: { size: number; mtime: Date },
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (range === undefined) return undefined;
  if (ifRange !== undefined && ifRange !== etag && ifRange !== stat.mtime.toUTCString()) return undefined;
  const m = /^bytes=(\d+)-(\d*)$/.exec(range.trim());
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] ? Math.min(stat.size, Number(m[2]) + 1) : stat.size;
  if (start >= stat.size || end <= start) return 'unsatisfiable';
  return { start, end };
}

export async function startMirror(options: MirrorOptions): Promise<Mirror> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`the mirror listens on loopback only (127.0.0.1, ::1 or localhost), not '${host}'`);
  const root = path.resolve(options.root);
  const rootStat = await fs.stat(root).catch(() => undefined);
  if (!rootStat?.isDirectory()) throw new Error(`mirror root '${root}' is not a folder`);
  let faults: MirrorFaults = options.faults ?? {};
  const requests: MirrorRequest[] = [];
  const counters = new Map<string, number>();

  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the handler catches everything itself (try/catch below)
  const server = http.createServer(async (req, res) => {
    const method = req.method ?? 'GET';
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://mirror').pathname);
    const match = HOUR_PATH.exec(urlPath);
    const hour = match?.[1];
    const n = hour === undefined ? 0 : (counters.get(hour) ?? 0) + 1;
    if (hour !== undefined) counters.set(hour, n);
    const entry: MirrorRequest = { method, path: urlPath, ...(hour ? { hour } : {}), n, status: 0, bytesSent: 0, completed: false, startedAt: Date.now() };
    requests.push(entry);
    res.on('close', () => options.onRequest?.(entry));
    const answer = (status: number, text: string, headers: http.OutgoingHttpHeaders = {}) => {
      entry.status = status;
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      res.end(method === 'HEAD' ? undefined : `${text}\n`);
      entry.completed = true;
    };
    try {
      if (method !== 'GET' && method !== 'HEAD') return answer(405, 'method not allowed', { allow: 'GET, HEAD' });
      if (hour === undefined) return answer(404, 'not found: paths look like /2015-01-01-15.json.gz');
      const f = faultsFor(faults, hour, n);
      const label = describeFaults(f);
      if (label) entry.fault = label;
      if (f.missing) return answer(404, 'not found');
      if (f.status) return answer(f.status.code, `injected ${f.status.code}`, f.status.retryAfter === undefined ? {} : { 'retry-after': f.status.retryAfter });
      if (f.redirect) return answer(f.redirect.status ?? 302, 'moved', { location: `${f.redirect.to.replace(/\/+$/, '')}/${hour}.json.gz` });
      const file = await locateHourFile(root, hour);
      if (!file) return answer(404, 'not found');
      const stat = await fs.stat(file);
      const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
      const headers: http.OutgoingHttpHeaders = {
        'content-type': 'application/gzip',
        ...(f.noValidators ? {} : { etag, 'last-modified': stat.mtime.toUTCString() }),
        ...(f.noRanges ? {} : { 'accept-ranges': 'bytes' }),
      };
      const rangeHeader = req.headers.range;
      if (rangeHeader !== undefined) entry.range = rangeHeader;
      const ifRange = req.headers['if-range'];
      const range = f.noRanges ? undefined : requestedRange(rangeHeader, typeof ifRange === 'string' && !f.ignoreIfRange ? ifRange : undefined, etag, stat);
      if (range === 'unsatisfiable') return answer(416, 'range not satisfiable', { 'content-range': `bytes */${stat.size}` });
      const start = range?.start ?? 0;
      const end = range?.end ?? stat.size;
      if (f.truncate?.contentLength === false) {
        // No length and no chunking: the body ends where the connection closes.
        res.useChunkedEncodingByDefault = false;
        headers.connection = 'close';
      } else {
        headers['content-length'] = end - start;
      }
      if (range) headers['content-range'] = `bytes ${start}-${end - 1}/${stat.size}`;
      entry.status = range ? 206 : 200;
      res.writeHead(entry.status, headers);
      if (method === 'HEAD') {
        res.end();
        entry.completed = true;
        return;
      }
      await sendBody(res, file, start, end, f, entry);
    } catch (error) {
      if (!res.headersSent) answer(500, `mirror error: ${(error as Error).message}`);
      else res.destroy();
    }
  });
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    requests,
    requestsFor: (hour) => requests.filter((r) => r.hour === hour && r.method === 'GET'),
    setFaults(next) {
      faults = next;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
