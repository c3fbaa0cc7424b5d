/**
 * `ghlake snowflake` options: defaults < environment < flags, each validated when read with an
 * error naming the option. Connection settings use Snowflake's usual variables
 * (SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER, ...); ghlake's own settings use GHLAKE_SNOWFLAKE_*.
 * `resolveSnowflakeConfig` turns the resolved options into the typed configs the runners take
 * and checks the combinations (one authentication method, a bucket for the stage ...).
 */
import {
  COMMON_OPTIONS,
  ERROR_CODES,
  GhlakeError,
  RANGE_OPTIONS,
  defineOptions,
  invalidOption,
  parseBoolean,
  parseInteger,
  parseString,
  type ResolvedOptions,
} from '@ghlake/core';
import { parseBucket, parsePrefix } from '../s3/options.js';
import { parseAccount, parseIdentifier, parseRoleArn, stageUrl } from './sql-text.js';

/** A host (`myorg-myacct.snowflakecomputing.com`) or a full URL (`http://127.0.0.1:8080` for a local stub). */
export function parseSnowflakeUrl(raw: string, source: string): string {
  const value = raw.trim();
  const withScheme = /^[a-z]+:\/\//i.test(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw invalidOption(source, raw, 'a Snowflake host such as myorg-myaccount.snowflakecomputing.com or an http(s) URL');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname.replace(/\/+$/, '') !== '' || url.search !== '' || url.username !== '') {
    throw invalidOption(source, raw, 'a Snowflake host such as myorg-myaccount.snowflakecomputing.com or an http(s) URL without a path');
  }
  return `${url.protocol}//${url.host}`;
}

function parseNonEmpty(what: string) {
  return (raw: string, source: string): string => {
    if (raw.trim() === '') throw invalidOption(source, raw, what);
    return raw;
  };
}

/**
 * The key prefix as `ghlake upload` reads it, then held to the characters a stage URL can carry
 * safely (CREATE STAGE cannot bind its URL).
 */
export function parseStagePrefix(raw: string, source: string): string {
  const value = parsePrefix(raw, source);
  stageUrl('bucket', value, { prefixSource: source });
  return value;
}

export const SNOWFLAKE_CONNECTION_OPTIONS = defineOptions({
  account: {
    flag: 'account',
    env: 'SNOWFLAKE_ACCOUNT',
    description: 'Snowflake account identifier, e.g. myorg-myaccount (required to connect)',
    parse: parseAccount,
  },
  user: { flag: 'user', env: 'SNOWFLAKE_USER', description: 'Snowflake user (required to connect)', parse: parseNonEmpty('a user name') },
  password: {
    flag: 'password',
    env: 'SNOWFLAKE_PASSWORD',
    description: 'password authentication; prefer the environment variable (flags show in process lists)',
    secret: true,
    parse: parseNonEmpty('a password'),
  },
  privateKeyPath: {
    flag: 'private-key-path',
    env: 'SNOWFLAKE_PRIVATE_KEY_PATH',
    description: 'key-pair authentication (SNOWFLAKE_JWT): PEM private key file',
    parse: parseNonEmpty('the path of a PEM private key file'),
  },
  privateKeyPassphrase: {
    flag: 'private-key-passphrase',
    env: 'SNOWFLAKE_PRIVATE_KEY_PASSPHRASE',
    description: 'passphrase of an encrypted private key',
    secret: true,
    parse: parseString,
  },
  role: { flag: 'role', env: 'SNOWFLAKE_ROLE', description: "role for the session (default: the user's default role)", parse: parseIdentifier },
  warehouse: {
    flag: 'warehouse',
    env: 'SNOWFLAKE_WAREHOUSE',
    description: "warehouse that runs COPY and gold (default: the user's default)",
    parse: parseIdentifier,
  },
  database: { flag: 'database', env: 'SNOWFLAKE_DATABASE', description: 'database holding the schemas', default: 'GHLAKE', parse: parseIdentifier },
  url: {
    flag: 'snowflake-url',
    env: 'SNOWFLAKE_HOST',
    description: 'Snowflake host or URL (default: derived from the account)',
    parse: parseSnowflakeUrl,
  },
});

export const SNOWFLAKE_OBJECT_OPTIONS = defineOptions({
  bronzeSchema: { flag: 'bronze-schema', env: 'GHLAKE_SNOWFLAKE_BRONZE_SCHEMA', description: 'schema for bronze', default: 'BRONZE', parse: parseIdentifier },
  silverSchema: {
    flag: 'silver-schema',
    env: 'GHLAKE_SNOWFLAKE_SILVER_SCHEMA',
    description: 'schema for the silver tables',
    default: 'SILVER',
    parse: parseIdentifier,
  },
  goldSchema: { flag: 'gold-schema', env: 'GHLAKE_SNOWFLAKE_GOLD_SCHEMA', description: 'schema for the gold tables', default: 'GOLD', parse: parseIdentifier },
  metaSchema: {
    flag: 'meta-schema',
    env: 'GHLAKE_SNOWFLAKE_META_SCHEMA',
    description: 'schema for the stage, the file format and the GHLAKE_LOADS bookkeeping table',
    default: 'GHLAKE',
    parse: parseIdentifier,
  },
  stage: {
    flag: 'stage',
    env: 'GHLAKE_SNOWFLAKE_STAGE',
    description: "external stage on the lake's S3 location",
    default: 'GHLAKE_LAKE',
    parse: parseIdentifier,
  },
  fileFormat: {
    flag: 'file-format',
    env: 'GHLAKE_SNOWFLAKE_FILE_FORMAT',
    description: 'Parquet file format',
    default: 'GHLAKE_PARQUET',
    parse: parseIdentifier,
  },
  storageIntegration: {
    flag: 'storage-integration',
    env: 'GHLAKE_SNOWFLAKE_STORAGE_INTEGRATION',
    description: 'storage integration the stage uses (created by setup when --aws-role-arn is given)',
    default: 'GHLAKE_S3',
    parse: parseIdentifier,
  },
});

/** Where `ghlake upload` put the lake: the same flags, variables and defaults as upload's. */
export const SNOWFLAKE_LOCATION_OPTIONS = defineOptions({
  bucket: { flag: 'bucket', env: 'GHLAKE_S3_BUCKET', description: 'S3 bucket the lake was uploaded to (ghlake upload)', parse: parseBucket },
  prefix: {
    flag: 'prefix',
    env: 'GHLAKE_S3_PREFIX',
    description: 'key prefix the lake is mirrored under (empty = bucket root)',
    default: 'ghlake',
    parse: parseStagePrefix,
  },
  awsRoleArn: {
    flag: 'aws-role-arn',
    env: 'GHLAKE_AWS_ROLE_ARN',
    description: 'IAM role Snowflake assumes to read the bucket; given, setup creates the storage integration',
    parse: parseRoleArn,
  },
});

const RUN_OPTIONS = defineOptions({
  lake: COMMON_OPTIONS.lake,
  json: COMMON_OPTIONS.json,
  logLevel: COMMON_OPTIONS.logLevel,
  dryRun: {
    flag: 'dry-run',
    env: 'GHLAKE_DRY_RUN',
    description: 'print every statement instead of running it (no connection)',
    default: false,
    boolean: true,
    parse: parseBoolean,
  },
});

export const SNOWFLAKE_SETUP_OPTIONS = defineOptions({
  ...SNOWFLAKE_CONNECTION_OPTIONS,
  ...SNOWFLAKE_OBJECT_OPTIONS,
  ...SNOWFLAKE_LOCATION_OPTIONS,
  ...RUN_OPTIONS,
});

export const SNOWFLAKE_LOAD_OPTIONS = defineOptions({
  ...SNOWFLAKE_CONNECTION_OPTIONS,
  ...SNOWFLAKE_OBJECT_OPTIONS,
  ...RUN_OPTIONS,
  ...RANGE_OPTIONS,
  reload: {
    flag: 'reload',
    env: 'GHLAKE_SNOWFLAKE_RELOAD',
    description: 'reload the hours in range (all hours without a range) even when GHLAKE_LOADS says they are loaded',
    default: false,
    boolean: true,
    parse: parseBoolean,
  },
  batchFiles: {
    flag: 'batch-files',
    env: 'GHLAKE_SNOWFLAKE_BATCH_FILES',
    description: 'files per COPY statement and transaction (Snowflake lists at most 1000)',
    default: 1000,
    parse: parseInteger(1, 1000),
  },
});

export const SNOWFLAKE_STATUS_OPTIONS = defineOptions({ ...SNOWFLAKE_CONNECTION_OPTIONS, ...SNOWFLAKE_OBJECT_OPTIONS, ...RUN_OPTIONS });

// ---- typed configs --------------------------------------------------------------------------

export type SnowflakeAuth = { kind: 'password'; password: string } | { kind: 'key-pair'; privateKeyPath: string; passphrase?: string };

/** How to reach Snowflake. Holds secrets: never print or log it (see `describeConnection`). */
export interface SnowflakeConnectionConfig {
  account: string;
  user: string;
  auth: SnowflakeAuth;
  role?: string;
  warehouse?: string;
  database: string;
  /** `https://<host>` or, for tests, `http://127.0.0.1:<port>`; default derived from the account by the driver. */
  accessUrl?: string;
}

/** The names of every Snowflake object ghlake creates and uses (validated, upper-case). */
export interface SnowflakeObjects {
  database: string;
  bronzeSchema: string;
  silverSchema: string;
  goldSchema: string;
  metaSchema: string;
  stage: string;
  fileFormat: string;
  storageIntegration: string;
}

export interface SnowflakeLocation {
  bucket: string;
  prefix: string;
  awsRoleArn?: string;
}

type AnyResolved = Partial<ResolvedOptions<typeof SNOWFLAKE_SETUP_OPTIONS> & ResolvedOptions<typeof SNOWFLAKE_LOAD_OPTIONS>>;

function missing(what: string, flag: string, env: string): GhlakeError {
  return new GhlakeError(ERROR_CODES.USAGE, `${what} is not set`, { hint: `set ${env} or pass --${flag}`, details: { option: `--${flag}` } });
}

export function objectsFrom(options: AnyResolved): SnowflakeObjects {
  return {
    database: options.database ?? 'GHLAKE',
    bronzeSchema: options.bronzeSchema ?? 'BRONZE',
    silverSchema: options.silverSchema ?? 'SILVER',
    goldSchema: options.goldSchema ?? 'GOLD',
    metaSchema: options.metaSchema ?? 'GHLAKE',
    stage: options.stage ?? 'GHLAKE_LAKE',
    fileFormat: options.fileFormat ?? 'GHLAKE_PARQUET',
    storageIntegration: options.storageIntegration ?? 'GHLAKE_S3',
  };
}

export function locationFrom(options: AnyResolved): SnowflakeLocation {
  if (options.bucket === undefined) throw missing('the S3 bucket of the lake', 'bucket', 'GHLAKE_S3_BUCKET');
  return { bucket: options.bucket, prefix: options.prefix ?? 'ghlake', ...(options.awsRoleArn ? { awsRoleArn: options.awsRoleArn } : {}) };
}

/** The connection settings, with the combinations checked: account, user and exactly one way to authenticate. */
export function connectionFrom(options: AnyResolved): SnowflakeConnectionConfig {
  if (options.account === undefined) throw missing('the Snowflake account', 'account', 'SNOWFLAKE_ACCOUNT');
  if (options.user === undefined) throw missing('the Snowflake user', 'user', 'SNOWFLAKE_USER');
  const hasPassword = options.password !== undefined;
  const hasKey = options.privateKeyPath !== undefined;
  if (hasPassword && hasKey) {
    throw new GhlakeError(ERROR_CODES.USAGE, 'both a password and a private key are set', {
      hint: 'choose one: unset SNOWFLAKE_PASSWORD (--password) or SNOWFLAKE_PRIVATE_KEY_PATH (--private-key-path)',
    });
  }
  if (!hasPassword && !hasKey) {
    throw new GhlakeError(ERROR_CODES.USAGE, 'no Snowflake credentials are set', {
      hint: 'set SNOWFLAKE_PASSWORD, or SNOWFLAKE_PRIVATE_KEY_PATH (and SNOWFLAKE_PRIVATE_KEY_PASSPHRASE for an encrypted key) for key-pair authentication',
    });
  }
  if (!hasKey && options.privateKeyPassphrase !== undefined && options.privateKeyPassphrase !== '') {
    throw new GhlakeError(ERROR_CODES.USAGE, 'a private key passphrase is set without a private key', {
      hint: 'set SNOWFLAKE_PRIVATE_KEY_PATH (--private-key-path) too, or unset SNOWFLAKE_PRIVATE_KEY_PASSPHRASE',
    });
  }
  const auth: SnowflakeAuth = hasKey
    ? { kind: 'key-pair', privateKeyPath: options.privateKeyPath!, ...(options.privateKeyPassphrase ? { passphrase: options.privateKeyPassphrase } : {}) }
    : { kind: 'password', password: options.password! };
  return {
    account: options.account,
    user: options.user,
    auth,
    database: options.database ?? 'GHLAKE',
    ...(options.role ? { role: options.role } : {}),
    ...(options.warehouse ? { warehouse: options.warehouse } : {}),
    ...(options.url ? { accessUrl: options.url } : {}),
  };
}

/** The connection without its secrets, for logs and summaries. */
export function describeConnection(config: SnowflakeConnectionConfig): Record<string, string> {
  return {
    account: config.account,
    user: config.user,
    authentication: config.auth.kind === 'password' ? 'password' : 'key pair (SNOWFLAKE_JWT)',
    ...(config.role ? { role: config.role } : {}),
    ...(config.warehouse ? { warehouse: config.warehouse } : {}),
    database: config.database,
    ...(config.accessUrl ? { url: config.accessUrl } : {}),
  };
}

/** Every secret of a connection, to scrub from anything printed. */
export function secretsOf(config: SnowflakeConnectionConfig): string[] {
  if (config.auth.kind === 'password') return [config.auth.password];
  return config.auth.passphrase ? [config.auth.passphrase] : [];
}
