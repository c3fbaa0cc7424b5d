/**
 * Durations in options and messages. Options take `500ms`, `30s`, `2m`, `1h` or a bare
 * number of milliseconds, so `--body-timeout 30s` and `GHLAKE_BODY_TIMEOUT=30000` both work.
 */
import { invalidOption } from './config.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Parser for `defineOptions`: a duration of at least `minMs` (and at most `maxMs`), in milliseconds. */
export function parseDuration(minMs = 0, maxMs = Number.MAX_SAFE_INTEGER) {
  const range = maxMs >= Number.MAX_SAFE_INTEGER ? `at least ${formatDuration(minMs)}` : `from ${formatDuration(minMs)} to ${formatDuration(maxMs)}`;
  const expected = `a duration such as 500ms, 30s or 2m (${range})`;
  return (raw: string, source: string): number => {
    const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(raw.trim());
    if (!m) throw invalidOption(source, raw, expected);
    const ms = Math.round(Number(m[1]) * UNIT_MS[(m[2] ?? 'ms').toLowerCase()]!);
    if (ms < minMs || ms > maxMs) throw invalidOption(source, raw, expected);
    return ms;
  };
}

/** `850ms`, `12.3s`, `4m05s`, `2h03m` — short, for progress lines and summaries. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'unbounded';
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const totalSeconds = Math.round(ms / 1_000);
  if (totalSeconds < 3_600) return `${Math.floor(totalSeconds / 60)}m${String(totalSeconds % 60).padStart(2, '0')}s`;
  const totalMinutes = Math.round(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h${String(totalMinutes % 60).padStart(2, '0')}m`;
}
