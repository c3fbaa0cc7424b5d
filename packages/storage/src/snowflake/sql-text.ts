/**
 * The only ways text from config reaches Snowflake SQL. Identifiers are validated against
 * `^[A-Za-z_][A-Za-z0-9_$]*$`, upper-cased (what Snowflake does to an unquoted name, so
 * `--database analytics` and a login `databaseName=analytics` mean the same object) and
 * quoted. Values go in binds wherever Snowflake accepts them; where it cannot bind (DDL such
 * as CREATE STAGE ... URL, COPY ... FILES) values are validated against a strict pattern
 * first and escaped as string literals second. Config cannot inject SQL.
 */
import { invalidOption } from '@ghlake/core';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** Option parser for a Snowflake object name: validated, upper-cased. */
export function parseIdentifier(raw: string, source: string): string {
  const value = raw.trim();
  if (!IDENTIFIER.test(value) || value.length > 255) {
    throw invalidOption(source, raw, 'a Snowflake name: a letter or _ then letters, digits, _ or $ (e.g. GHLAKE)');
  }
  return value.toUpperCase();
}

/** `"NAME"` — for names already validated by `parseIdentifier` (or built from validated parts). */
export function quoteIdent(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a validated identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** `"DB"."SCHEMA"."NAME"` */
export function qualifiedName(...parts: string[]): string {
  return parts.map(quoteIdent).join('.');
}

/**
 * A Snowflake single-quoted string literal. Backslash is an escape character inside Snowflake
 * string literals, so it is doubled as well as the quote.
 */
export function snowflakeString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** Option parser for an account identifier: `myorg-myaccount` or `xy12345.us-east-1`. */
export function parseAccount(raw: string, source: string): string {
  const value = raw.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/.test(value)) {
    throw invalidOption(source, raw, 'a Snowflake account identifier such as myorg-myaccount or xy12345.us-east-1');
  }
  return value;
}

/** Option parser for an IAM role ARN (it goes into CREATE STORAGE INTEGRATION, which cannot bind). */
export function parseRoleArn(raw: string, source: string): string {
  const value = raw.trim();
  if (!/^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/.test(value)) {
    throw invalidOption(source, raw, 'an IAM role ARN such as arn:aws:iam::123456789012:role/ghlake-snowflake');
  }
  return value;
}

/**
 * The S3 URL of the lake for a stage or a storage integration (neither can bind values). Bucket
 * names are restricted by S3 already; the prefix is held to safe key characters here.
 */
export function stageUrl(bucket: string, prefix: string, options: { bucketSource?: string; prefixSource?: string } = {}): string {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw invalidOption(options.bucketSource ?? '--bucket', bucket, 'an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens');
  }
  if (prefix !== '' && !/^[A-Za-z0-9._=-]+(?:\/[A-Za-z0-9._=-]+)*$/.test(prefix)) {
    throw invalidOption(
      options.prefixSource ?? '--prefix',
      prefix,
      'a key prefix of letters, digits and . _ = - separated by / (a Snowflake stage URL cannot carry other characters safely)',
    );
  }
  return `s3://${bucket}/${prefix === '' ? '' : `${prefix}/`}`;
}

/** A key below the stage as COPY ... FILES lists it (it cannot be bound): our own layout only. */
export function assertStagePath(relPath: string): string {
  if (!/^(?:silver|gold)\/[a-z_]+\/(?:date=\d{4}-\d{2}-\d{2}\/hour=\d{1,2}\/)?part-[A-Za-z0-9_-]+\.parquet$/.test(relPath)) {
    throw new Error(`not a lake data file path: ${JSON.stringify(relPath)}`);
  }
  return relPath;
}
