/**
 * Options of `ghlake report` (defaults < GHLAKE_* env < flags). The range and the DuckDB knobs are
 * the shared declarations; `--repo` may be given several times.
 */
import { COMMON_OPTIONS, RANGE_OPTIONS, defineOptions, invalidOption, parseInteger, parseString, type ResolvedOptions } from '@ghlake/core';
import { DUCKDB_OPTIONS } from '@ghlake/gold';

/** GitHub's `owner/name`: letters, digits, `-`, `_` and `.` on each side of one slash. */
const REPO_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

function parseRepos(raw: string, source: string): string[] {
  const names = raw
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  for (const name of names) if (!REPO_NAME.test(name)) throw invalidOption(source, name, 'a repository as owner/name, such as cachethq/Cachet');
  return names;
}

export const REPORT_OPTIONS = defineOptions({
  ...DUCKDB_OPTIONS,
  ...RANGE_OPTIONS,
  repo: {
    flag: 'repo',
    env: 'GHLAKE_REPORT_REPOS',
    description: 'chart this repository per day (owner/name); repeat the flag for several (the env takes a comma-separated list)',
    default: [] as string[],
    multiple: true,
    parse: parseRepos,
  },
  out: {
    flag: 'out',
    env: 'GHLAKE_REPORT_OUT',
    description: 'the HTML file to write (default: <lake>/report.html)',
    parse: parseString,
  },
  top: {
    flag: 'top',
    env: 'GHLAKE_REPORT_TOP',
    description: 'rows in each top list',
    default: 10,
    parse: parseInteger(1, 100),
  },
  json: COMMON_OPTIONS.json,
});

export type ReportOptions = ResolvedOptions<typeof REPORT_OPTIONS>;
