/**
 * Options: defaults < environment (`GHLAKE_*`) < command-line flags, validated once,
 * with errors that name the option. Each stage declares its options with `defineOptions`
 * (the declaration is also its documentation: `describeOptions` renders help and the
 * README table). Only CLIs call `resolveOptions` with real env/argv; library code takes the
 * resolved, typed object.
 */
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { ERROR_CODES, GhlakeError } from './errors.js';

export interface OptionSpec<T> {
  /** Flag name without dashes, kebab-case: `base-url`. */
  flag: string;
  /** Environment variable, e.g. `GHLAKE_BASE_URL`. */
  env?: string;
  description: string;
  /** Value when neither env nor flag is given (undefined = optional, no value). */
  default?: T;
  /** A boolean switch (`--force`) rather than an option taking a value. */
  boolean?: boolean;
  short?: string;
  /**
   * The value is a secret (a password, a key, a token). This mark is the one source of the list
   * of secret options (`secretOptions`): their values are replaced by `***` wherever a command
   * line is written down or shown (the lake lock, `status`, lock messages, logs), never echoed
   * in an error, and giving one as a flag prints a warning that suggests the variable.
   */
  secret?: boolean;
  /**
   * The flag may be given several times (`--repo a/b --repo c/d`): each value is parsed and the
   * results, which must be arrays, are concatenated. The environment variable is parsed once.
   */
  multiple?: boolean;
  /** Turns the raw text into the typed value; throw `invalidOption` on bad input. */
  parse: (raw: string, source: string) => T;
}

export type OptionsSpec = Record<string, OptionSpec<unknown>>;
export type ResolvedOptions<S extends OptionsSpec> = {
  [K in keyof S]: S[K] extends OptionSpec<infer T> ? (S[K]['default'] extends undefined ? T | undefined : T) : never;
};

/** Every option marked `secret` in any declaration loaded so far, by flag. */
const SECRET_OPTIONS = new Map<string, OptionSpec<unknown>>();

/** What a secret's value is shown as. */
export const REDACTED = '***';

export function defineOptions<S extends OptionsSpec>(spec: S): S {
  for (const s of Object.values(spec)) if (s.secret) SECRET_OPTIONS.set(s.flag, s);
  return spec;
}

/** The secret options (derived from the `secret` marks of the declarations). */
export function secretOptions(): OptionSpec<unknown>[] {
  return [...SECRET_OPTIONS.values()];
}

/** The option an argv token names (`--password`, `--password=x`), if it is a secret one. */
function secretFlagOf(token: string): { spec: OptionSpec<unknown>; inline: boolean } | undefined {
  if (!token.startsWith('--')) return undefined;
  const eq = token.indexOf('=');
  const spec = SECRET_OPTIONS.get(token.slice(2, eq === -1 ? undefined : eq));
  return spec ? { spec, inline: eq !== -1 } : undefined;
}

/** argv with the value of every secret option replaced by `***` (both `--flag value` and `--flag=value`). */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const secret = secretFlagOf(token);
    if (!secret) out.push(token);
    else if (secret.inline) out.push(`--${secret.spec.flag}=${REDACTED}`);
    else {
      out.push(token);
      if (i + 1 < argv.length) {
        out.push(REDACTED);
        i++;
      }
    }
  }
  return out;
}

/** The secret options given as flags on this command line (flags are visible to every user of the machine). */
export function secretFlagsGiven(argv: readonly string[]): OptionSpec<unknown>[] {
  const seen = new Map<string, OptionSpec<unknown>>();
  for (const token of argv) {
    if (token === '--') break;
    const secret = secretFlagOf(token);
    if (secret) seen.set(secret.spec.flag, secret.spec);
  }
  return [...seen.values()];
}

/** The one-line warning for a secret given as a flag. */
export function secretFlagWarning(spec: OptionSpec<unknown>): string {
  return `warning: --${spec.flag} is visible to other users of this machine (process list, shell history)${spec.env ? `; set ${spec.env} instead` : ''}`;
}

export function invalidOption(source: string, raw: string, expected: string): GhlakeError {
  return new GhlakeError(ERROR_CODES.INVALID_OPTION, `${source} has invalid value '${raw}': expected ${expected}`, {
    hint: `give ${source} ${expected}`,
    details: { option: source, value: raw },
  });
}

// ---- parsers --------------------------------------------------------------------------
export const parseString = (raw: string): string => raw;

export function parseInteger(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (raw: string, source: string): number => {
    if (!/^-?\d+$/.test(raw.trim())) throw invalidOption(source, raw, `an integer from ${min} to ${max}`);
    const n = Number(raw);
    if (n < min || n > max) throw invalidOption(source, raw, `an integer from ${min} to ${max}`);
    return n;
  };
}

export function parseBoolean(raw: string, source: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on', ''].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw invalidOption(source, raw, 'true or false');
}

export function parseUrl(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidOption(source, raw, 'an http(s) URL such as https://data.gharchive.org');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidOption(source, raw, 'an http(s) URL');
  return raw.replace(/\/+$/, '');
}

export function parseChoice<T extends string>(choices: readonly T[]) {
  return (raw: string, source: string): T => {
    if (!(choices as readonly string[]).includes(raw)) throw invalidOption(source, raw, `one of ${choices.join(', ')}`);
    return raw as T;
  };
}

/** Byte sizes: `512MB`, `4GB`, `1048576`. Returns bytes. */
export function parseBytes(raw: string, source: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)?$/i.exec(raw.trim());
  if (!m) throw invalidOption(source, raw, 'a size such as 512MB or 4GB');
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };
  return Math.round(Number(m[1]) * mult[unit]!);
}

// ---- options every command shares --------------------------------------------------------
export const COMMON_OPTIONS = defineOptions({
  lake: { flag: 'lake', env: 'GHLAKE_LAKE', description: 'lake folder', default: './lake', parse: parseString },
  threads: {
    flag: 'threads',
    env: 'GHLAKE_THREADS',
    description: 'worker threads in the shared pool (default: available cores)',
    default: availableParallelism(),
    parse: parseInteger(1, 256),
  },
  json: {
    flag: 'json',
    env: 'GHLAKE_JSON',
    description: 'print a machine-readable JSON summary at the end',
    default: false,
    boolean: true,
    parse: parseBoolean,
  },
  logLevel: {
    flag: 'log-level',
    env: 'GHLAKE_LOG_LEVEL',
    description: 'debug, info, warn or error',
    default: 'info' as 'debug' | 'info' | 'warn' | 'error',
    parse: parseChoice(['debug', 'info', 'warn', 'error'] as const),
  },
});

export const RANGE_OPTIONS = defineOptions({
  from: { flag: 'from', env: 'GHLAKE_FROM', description: 'first hour (YYYY-MM-DD-H), inclusive', parse: parseString },
  to: { flag: 'to', env: 'GHLAKE_TO', description: 'last hour (YYYY-MM-DD-H), inclusive', parse: parseString },
  date: { flag: 'date', env: 'GHLAKE_DATE', description: 'a whole UTC day (YYYY-MM-DD) instead of --from/--to', parse: parseString },
});

// ---- resolution ------------------------------------------------------------------------
export interface CommandLine {
  /** Raw flag values keyed by flag name (a list for a `multiple` option). */
  flags: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/**
 * Parse argv strictly against the spec: an unknown flag is an error naming it. A value that
 * starts with a dash (`--threads -1`) is taken as the option's value, and an option given
 * without its value gets the option's own message (its parser's), never Node's parser text.
 */
export function parseCommandLine(argv: readonly string[], spec: OptionsSpec, opts: { allowPositionals?: boolean } = {}): CommandLine {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = { help: { type: 'boolean', short: 'h' } };
  const byFlag = new Map<string, OptionSpec<unknown>>();
  for (const s of Object.values(spec)) {
    options[s.flag] = { type: s.boolean ? 'boolean' : 'string', ...(s.short ? { short: s.short } : {}), ...(s.multiple ? { multiple: true } : {}) };
    byFlag.set(`--${s.flag}`, s);
    if (s.short) byFlag.set(`-${s.short}`, s);
  }
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    const s = token.includes('=') ? undefined : byFlag.get(token);
    if (s && !s.boolean) {
      const value = argv[i + 1];
      // Missing (end of argv, or another flag next): the option's own parser says what it expects.
      if (value === undefined || (value.startsWith('--') && value.length > 2) || (value.startsWith('-') && !/^-\d/.test(value) && value !== '-')) {
        throw missingValue(s);
      }
      args.push(`--${s.flag}=${value}`);
      i++;
    } else args.push(token);
  }
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: opts.allowPositionals ?? false });
    return { flags: values as CommandLine['flags'], positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '([^']+)'/.exec(message);
    if (unknown) {
      return throwUnknown(unknown[1]!, spec);
    }
    if (/Unexpected argument '([^']+)'/.exec(message)) {
      throw new GhlakeError(ERROR_CODES.USAGE, message.split('. ')[0]!, { hint: 'this command takes no positional arguments; see --help', cause: error });
    }
    throw new GhlakeError(ERROR_CODES.USAGE, message, { hint: 'see --help for the options', cause: error });
  }
}

function missingValue(s: OptionSpec<unknown>): GhlakeError {
  try {
    s.parse('', `--${s.flag}`);
  } catch (error) {
    if (error instanceof GhlakeError) {
      return new GhlakeError(error.code, `--${s.flag} needs a value: ${error.message.replace(/^.* has invalid value '': /, '')}`, {
        ...(error.hint ? { hint: error.hint } : {}),
        details: { option: `--${s.flag}` },
      });
    }
  }
  return new GhlakeError(ERROR_CODES.INVALID_OPTION, `--${s.flag} needs a value`, {
    hint: `give --${s.flag} <value>; see --help`,
    details: { option: `--${s.flag}` },
  });
}

function throwUnknown(flag: string, spec: OptionsSpec): never {
  const name = flag.replace(/^-+/, '');
  const close = Object.values(spec)
    .map((s) => s.flag)
    .filter((f) => f.startsWith(name.slice(0, 3)) || name.startsWith(f.slice(0, 3)));
  throw new GhlakeError(ERROR_CODES.UNKNOWN_OPTION, `unknown option '${flag}'`, {
    hint: close.length ? `did you mean ${close.map((f) => `--${f}`).join(' or ')}? see --help` : 'see --help for the options',
    details: { option: flag },
  });
}

/** defaults < env < flags, each value parsed and validated, errors naming the option. */
export function resolveOptions<S extends OptionsSpec>(
  spec: S,
  input: { flags?: CommandLine['flags']; env?: Record<string, string | undefined> },
): ResolvedOptions<S> {
  const out: Record<string, unknown> = {};
  const env = input.env ?? {};
  const flags = input.flags ?? {};
  for (const [key, s] of Object.entries(spec)) {
    let value: unknown = s.default;
    const fromEnv = s.env === undefined ? undefined : env[s.env];
    if (fromEnv !== undefined && fromEnv !== '') value = parseValue(s, fromEnv, s.env!);
    const fromFlag = flags[s.flag];
    if (fromFlag !== undefined) {
      if (Array.isArray(fromFlag)) value = fromFlag.flatMap((raw) => parseValue(s, raw, `--${s.flag}`) as unknown[]);
      else value = typeof fromFlag === 'boolean' ? fromFlag : parseValue(s, fromFlag, `--${s.flag}`);
    }
    out[key] = value;
  }
  return out as ResolvedOptions<S>;
}

/** Parse one raw value; a secret's value never appears in the error. */
function parseValue(s: OptionSpec<unknown>, raw: string, source: string): unknown {
  if (!s.secret) return s.parse(raw, source);
  try {
    return s.parse(raw, source);
  } catch (error) {
    const e = error instanceof GhlakeError ? error : new GhlakeError(ERROR_CODES.INVALID_OPTION, `${source} has an invalid value`);
    const scrub = (text: string) => (raw === '' ? text : text.split(raw).join(REDACTED));
    throw new GhlakeError(e.code, scrub(e.message), {
      ...(e.hint ? { hint: scrub(e.hint) } : {}),
      details: { option: source, value: REDACTED },
    });
  }
}

const DURATION_UNITS: [string, number][] = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];
const SIZE_UNITS: [string, number][] = [
  ['GB', 1e9],
  ['GiB', 1024 ** 3],
  ['MB', 1e6],
  ['MiB', 1024 ** 2],
  ['KB', 1e3],
  ['KiB', 1024],
];

/**
 * A default as a user would type it: `2m` rather than 120000, `2GB` rather than 2000000000. The
 * candidates are checked with the option's own parser, so a count stays a plain number.
 */
export function displayDefault(s: OptionSpec<unknown>): string {
  const value = s.default;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) {
    const exact = (units: [string, number][]) => units.filter(([, n]) => value % n === 0).map(([u, n]) => `${value / n}${u}`);
    for (const candidate of [...exact(DURATION_UNITS), ...exact(SIZE_UNITS)]) {
      try {
        if (s.parse(candidate, `--${s.flag}`) === value) return candidate;
      } catch {
        // not this option's kind of value
      }
    }
  }
  return String(value);
}

/** Help text lines for a spec: `--base-url <value>  description (env GHLAKE_BASE_URL, default ...)`. */
export function describeOptions(spec: OptionsSpec): string {
  const rows = Object.values(spec).map((s) => {
    const left = `  --${s.flag}${s.boolean ? '' : ' <value>'}`;
    const extra = [s.env ? `env ${s.env}` : '', s.default !== undefined && !s.boolean ? `default ${displayDefault(s)}` : ''].filter(Boolean).join(', ');
    return { left, right: `${s.description}${extra ? ` (${extra})` : ''}` };
  });
  const width = Math.max(...rows.map((r) => r.left.length)) + 2;
  return rows.map((r) => r.left.padEnd(width) + r.right).join('\n');
}

// ---- DuckDB, for every command that runs it (silver consolidation, gold, query) ---------------
/** 2 GB: enough for a month of events with spilling, small enough for a shared laptop. */
export const DEFAULT_DUCKDB_MEMORY = 2_000_000_000;

export const DUCKDB_MEMORY_OPTIONS = defineOptions({
  memoryLimit: {
    flag: 'memory-limit',
    env: 'GHLAKE_DUCKDB_MEMORY',
    description: 'DuckDB memory limit, in bytes or with a unit (512MB, 4GB); beyond it DuckDB spills to <lake>/_tmp/duckdb',
    default: DEFAULT_DUCKDB_MEMORY,
    parse: (raw: string, source: string) => {
      const bytes = parseBytes(raw, source);
      if (bytes < 64_000_000) throw invalidOption(source, raw, 'a size of at least 64MB, such as 2GB');
      return bytes;
    },
  },
});
