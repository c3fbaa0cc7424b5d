/**
 * Fault injection for the local mirror, configured per file. Faults with `times` apply to
 * the first `times` requests of that file only (then it is served normally), which is how a
 * test says "fail twice, then succeed"; without `times` they apply to every request.
 *
 * Keys are an hour (`2015-01-01-15`), a file name (`2015-01-01-15.json.gz`) or `*` for
 * every file; a file's own entry is merged over `*`.
 */
export interface FileFaults {
  /** Answer 404 even though the file exists (a permanently missing hour). */
  missing?: boolean;
  /** Answer this status (500, 503, 429 ...) instead of the file; with `retryAfter`, send that Retry-After header. */
  status?: { code: number; times?: number; retryAfter?: string };
  /** Send the body at this many bytes per second (per connection). */
  bytesPerSecond?: number;
  /**
   * Send the body up to file offset `afterBytes`, then reset the connection (TCP RST). Offsets are
   * of the file: a request for a range that starts past `afterBytes` gets no body bytes at all.
   */
  reset?: { afterBytes: number; times?: number };
  /**
   * Send the body up to file offset `afterBytes`, then close the connection cleanly. With `contentLength`
   * (default true) the header announced the full size; without it the response has no
   * Content-Length and is delimited by the close, so only the gzip check can catch it.
   */
  truncate?: { afterBytes: number; contentLength?: boolean; times?: number };
  /** Flip the bits of `length` (default 16) body bytes starting at `offset`. */
  corrupt?: { offset: number; length?: number; times?: number };
  /** Ignore Range headers (answer 200 with the whole file) and do not advertise Accept-Ranges. */
  noRanges?: boolean;
  /** A broken server: apply Range even when If-Range names another version of the file. */
  ignoreIfRange?: boolean;
  /** Send neither ETag nor Last-Modified: nothing names the file's version, so a client cannot resume safely. */
  noValidators?: boolean;
  /** Redirect (302 by default) to the same file name under `to`, another base URL. */
  redirect?: { to: string; status?: number; times?: number };
}

export type MirrorFaults = Record<string, FileFaults>;

/** The faults that apply to the `n`-th request (1-based) of `hour`. */
export function faultsFor(faults: MirrorFaults, hour: string, n: number): FileFaults {
  const merged: FileFaults = { ...faults['*'], ...faults[hour], ...faults[`${hour}.json.gz`] };
  const active = (f: { times?: number } | undefined) => f !== undefined && n <= (f.times ?? Number.POSITIVE_INFINITY);
  const out: FileFaults = {};
  if (merged.missing) out.missing = true;
  if (merged.noRanges) out.noRanges = true;
  if (merged.ignoreIfRange) out.ignoreIfRange = true;
  if (merged.noValidators) out.noValidators = true;
  if (active(merged.status)) out.status = merged.status!;
  if (merged.bytesPerSecond !== undefined && merged.bytesPerSecond > 0) out.bytesPerSecond = merged.bytesPerSecond;
  if (active(merged.reset)) out.reset = merged.reset!;
  if (active(merged.truncate)) out.truncate = merged.truncate!;
  if (active(merged.corrupt)) out.corrupt = merged.corrupt!;
  if (active(merged.redirect)) out.redirect = merged.redirect!;
  return out;
}

/** A short label of what was injected, for the request log: `status 503`, `reset@1000`. */
export function describeFaults(f: FileFaults): string | undefined {
  const parts: string[] = [];
  if (f.missing) parts.push('missing');
  if (f.noRanges) parts.push('no ranges');
  if (f.ignoreIfRange) parts.push('ignores If-Range');
  if (f.noValidators) parts.push('no validators');
  if (f.status) parts.push(`status ${f.status.code}`);
  if (f.reset) parts.push(`reset@${f.reset.afterBytes}`);
  if (f.truncate) parts.push(`truncate@${f.truncate.afterBytes}${f.truncate.contentLength === false ? ' no-length' : ''}`);
  if (f.corrupt) parts.push(`corrupt@${f.corrupt.offset}`);
  if (f.bytesPerSecond) parts.push(`slow ${f.bytesPerSecond}B/s`);
  if (f.redirect) parts.push(`redirect ${f.redirect.status ?? 302}`);
  return parts.length ? parts.join(', ') : undefined;
}

/** Validate faults given as JSON (the CLI's --faults file): one clear error per mistake. */
export function parseFaults(value: unknown, source = 'faults'): MirrorFaults {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${source}: expected an object keyed by hour, file name or "*"`);
  const known = new Set(['missing', 'noRanges', 'ignoreIfRange', 'noValidators', 'status', 'bytesPerSecond', 'reset', 'truncate', 'corrupt', 'redirect']);
  for (const [key, f] of Object.entries(value as Record<string, unknown>)) {
    if (key !== '*' && !/^\d{4}-\d{2}-\d{2}-\d{1,2}(\.json\.gz)?$/.test(key))
      throw new Error(`${source}: key '${key}' is not an hour (2015-01-01-15), a file name or "*"`);
    if (f === null || typeof f !== 'object') throw new Error(`${source}.${key}: expected an object of faults`);
    for (const name of Object.keys(f)) if (!known.has(name)) throw new Error(`${source}.${key}: unknown fault '${name}' (known: ${[...known].join(', ')})`);
  }
  return value as MirrorFaults;
}
