import { describe, expect, it } from 'vitest';
import type { HourKey } from '@ghlake/core';
import { formatRunSummary } from '../src/run-report.js';
import { emptyRunSummary, type RunSummary } from '../src/run-summary.js';

const h = (n: number) => `2015-01-${String(1 + Math.floor(n / 24)).padStart(2, '0')}-${n % 24}` as HourKey;

function summary(over: Partial<RunSummary>): RunSummary {
  return {
    ...emptyRunSummary(
      '/lake',
      Array.from({ length: 48 }, (_, i) => h(i)),
    ),
    elapsedMs: 1234,
    ...over,
  };
}

describe('run summary', () => {
  it('a mirror that refuses every hour gives ten named failures and a count, not a screen per hour', () => {
    const failed = Array.from({ length: 48 }, (_, i) => ({
      hour: h(i),
      stage: 'download' as const,
      code: 'GHLAKE_CONNECTION',
      message: 'connection refused',
      hint: 'check --base-url',
    }));
    const text = formatRunSummary(summary({ exitCode: 1, hours: { done: [], upToDate: [], missing: [], damaged: [], failed, notStarted: [] } }));
    expect(text.split('\n').filter((l) => l.trimStart().startsWith('failed'))).toHaveLength(11);
    expect(text).toContain('failed      2015-01-01-0 download GHLAKE_CONNECTION: connection refused — check --base-url');
    expect(text).toContain('failed      … and 38 more hours (ghlake status lists them)');
    expect(text.split('\n')[0]).toBe('ghlake run finished with failures: 2015-01-01-0 .. 2015-01-02-23 (48 hours) → /lake');
  });

  it('names quarantine reasons, stage times and the top repositories', () => {
    const text = formatRunSummary(
      summary({
        range: { from: h(15), to: h(15), hours: 1 },
        hours: { done: [h(15)], upToDate: [], missing: [], damaged: [], failed: [], notStarted: [] },
        events: 11351,
        silverEvents: 11351,
        quarantined: 3,
        quarantinedByReason: { invalid_json: 2, truncated_line: 1 },
        stages: {
          download: { ms: 1500, ok: true },
          transform: { ms: 2500, ok: true },
          gold: { ms: 900, ok: true },
          warehouse: { ms: 0, ok: true, skipped: true },
        },
        gold: { mode: 'incremental', silverCommits: 1, tables: { repo_metrics: 2 }, silverEvents: 11351, crossHourDuplicatesRemoved: 0, rebuilt: true },
        topRepositories: [
          { repo_id: 1, repo_name: 'a/b', total_events: 120 },
          { repo_id: 2, repo_name: null, total_events: 7 },
        ],
      }),
    );
    expect(text).toContain('ghlake run done: 2015-01-01-15 (1 hour) → /lake');
    expect(text).toContain('3 lines quarantined (invalid_json 2, truncated_line 1)');
    expect(text).toContain('time        download 1.50s · transform 2.50s · gold 900ms · warehouse skipped · total 1.23s');
    expect(text).toMatch(/ 1\. a\/b\s+120 events\n\s+2\. #2\s+7 events$/);
  });
});
