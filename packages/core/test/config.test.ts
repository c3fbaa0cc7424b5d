import { describe, expect, it } from 'vitest';
import {
  COMMON_OPTIONS,
  defineOptions,
  ERROR_CODES,
  GhlakeError,
  parseBytes,
  parseCommandLine,
  parseInteger,
  parseUrl,
  resolveOptions,
  describeOptions,
} from '../src/index.js';

const spec = defineOptions({
  ...COMMON_OPTIONS,
  baseUrl: { flag: 'base-url', env: 'GHLAKE_BASE_URL', description: 'mirror', default: 'https://data.gharchive.org', parse: parseUrl },
  concurrency: { flag: 'concurrency', env: 'GHLAKE_CONCURRENCY', description: 'parallel downloads', default: 4, parse: parseInteger(1, 64) },
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as GhlakeError).code;
  }
  return undefined;
}

describe('options: defaults < env < flags', () => {
  it('takes defaults, then env, then flags', () => {
    expect(resolveOptions(spec, {}).concurrency).toBe(4);
    expect(resolveOptions(spec, { env: { GHLAKE_CONCURRENCY: '8' } }).concurrency).toBe(8);
    const cl = parseCommandLine(['--concurrency', '2', '--lake', '/tmp/l', '--json'], spec);
    const o = resolveOptions(spec, { flags: cl.flags, env: { GHLAKE_CONCURRENCY: '8', GHLAKE_LAKE: '/env/lake' } });
    expect(o).toMatchObject({ concurrency: 2, lake: '/tmp/l', json: true, baseUrl: 'https://data.gharchive.org' });
  });

  it('names the option in validation errors, flag or env', () => {
    const flagErr = (() => {
      try {
        resolveOptions(spec, { flags: { concurrency: '0' } });
      } catch (e) {
        return e as GhlakeError;
      }
    })();
    expect(flagErr?.code).toBe(ERROR_CODES.INVALID_OPTION);
    expect(flagErr?.message).toContain('--concurrency');
    expect(() => resolveOptions(spec, { env: { GHLAKE_BASE_URL: 'ftp://x' } })).toThrow(/GHLAKE_BASE_URL/);
  });

  it('rejects unknown flags with a suggestion', () => {
    expect(codeOf(() => parseCommandLine(['--concurency', '3'], spec))).toBe(ERROR_CODES.UNKNOWN_OPTION);
    try {
      parseCommandLine(['--concurency', '3'], spec);
    } catch (e) {
      expect((e as GhlakeError).message).toContain("'--concurency'");
      expect((e as GhlakeError).hint).toContain('--concurrency');
    }
  });

  it('parses sizes and renders help with env and defaults', () => {
    expect(parseBytes('512MB', '--x')).toBe(512e6);
    expect(parseBytes('4GiB', '--x')).toBe(4 * 1024 ** 3);
    expect(codeOf(() => parseBytes('lots', '--memory-limit'))).toBe(ERROR_CODES.INVALID_OPTION);
    const help = describeOptions(spec);
    expect(help).toMatch(/--base-url <value>\s+mirror \(env GHLAKE_BASE_URL, default https:\/\/data.gharchive.org\)/);
  });

  it('a multiple option takes every occurrence of its flag, each parsed, in order; the env gives a list too', () => {
    const list = defineOptions({
      repo: {
        flag: 'repo',
        env: 'GHLAKE_REPORT_REPOS',
        description: 'repositories',
        default: [] as string[],
        multiple: true,
        parse: (raw: string) => raw.split(',').map((r) => r.trim()),
      },
    });
    const cl = parseCommandLine(['--repo', 'a/b', '--repo', 'c/d,e/f'], list);
    expect(resolveOptions(list, { flags: cl.flags, env: { GHLAKE_REPORT_REPOS: 'x/y' } }).repo).toEqual(['a/b', 'c/d', 'e/f']);
    expect(resolveOptions(list, { env: { GHLAKE_REPORT_REPOS: 'x/y,z/w' } }).repo).toEqual(['x/y', 'z/w']);
    expect(resolveOptions(list, {}).repo).toEqual([]);
  });
});
