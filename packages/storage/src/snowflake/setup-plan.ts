/**
 * What `ghlake snowflake setup` runs, in order, every statement idempotent: the database, the
 * schemas, the Parquet file format, the storage integration (created only when a role ARN is
 * given; otherwise an existing one is described), the external stage on the lake's S3 location,
 * the silver and gold tables and GHLAKE_LOADS.
 */
import type { SnowflakeLocation, SnowflakeObjects } from './options.js';
import { createLoadsTableSql, createTableSql } from './ddl.js';
import { SNOWFLAKE_TABLES, fileFormatRef, stageRef, tableKey } from './objects.js';
import { quoteIdent, qualifiedName, snowflakeString, stageUrl } from './sql-text.js';
import { statement, type SqlStatement } from './statement.js';

export function createIntegrationSql(objects: SnowflakeObjects, location: SnowflakeLocation, roleArn: string): string {
  return [
    `CREATE STORAGE INTEGRATION IF NOT EXISTS ${quoteIdent(objects.storageIntegration)}`,
    `  TYPE = EXTERNAL_STAGE`,
    `  STORAGE_PROVIDER = 'S3'`,
    `  ENABLED = TRUE`,
    `  STORAGE_AWS_ROLE_ARN = ${snowflakeString(roleArn)}`,
    `  STORAGE_ALLOWED_LOCATIONS = (${snowflakeString(stageUrl(location.bucket, location.prefix))})`,
  ].join('\n');
}

export function describeIntegrationSql(objects: SnowflakeObjects): string {
  return `DESC INTEGRATION ${quoteIdent(objects.storageIntegration)}`;
}

function stageParams(objects: SnowflakeObjects, location: SnowflakeLocation): string {
  return [
    `  URL = ${snowflakeString(stageUrl(location.bucket, location.prefix))}`,
    `  STORAGE_INTEGRATION = ${quoteIdent(objects.storageIntegration)}`,
    `  FILE_FORMAT = (FORMAT_NAME = ${fileFormatRef(objects)})`,
  ].join('\n');
}

export interface SetupPlan {
  statements: SqlStatement[];
  /** The CREATE STORAGE INTEGRATION statement, when a role ARN was given. */
  createIntegration?: SqlStatement;
  /** DESC INTEGRATION: its output is what the AWS role's trust policy needs. */
  describeIntegration: SqlStatement;
}

export function planSetup(objects: SnowflakeObjects, location: SnowflakeLocation): SetupPlan {
  const db = quoteIdent(objects.database);
  const schemas: Array<[string, string]> = [
    [objects.bronzeSchema, 'bronze'],
    [objects.silverSchema, 'silver tables'],
    [objects.goldSchema, 'gold tables'],
    [objects.metaSchema, 'stage, file format and load bookkeeping'],
  ];
  const out: SqlStatement[] = [
    statement(`create database ${objects.database}`, `CREATE DATABASE IF NOT EXISTS ${db} COMMENT = 'ghlake: GH Archive lakehouse'`),
    ...schemas.map(([name, what]) =>
      statement(
        `create schema ${objects.database}.${name}`,
        `CREATE SCHEMA IF NOT EXISTS ${qualifiedName(objects.database, name)} COMMENT = ${snowflakeString(`ghlake ${what}`)}`,
      ),
    ),
    statement(
      `create file format ${objects.fileFormat}`,
      `CREATE FILE FORMAT IF NOT EXISTS ${fileFormatRef(objects)}\n  TYPE = PARQUET\n  USE_LOGICAL_TYPE = TRUE\n  BINARY_AS_TEXT = FALSE`,
    ),
  ];
  const createIntegration =
    location.awsRoleArn === undefined
      ? undefined
      : statement(`create storage integration ${objects.storageIntegration}`, createIntegrationSql(objects, location, location.awsRoleArn));
  if (createIntegration) out.push(createIntegration);
  const describeIntegration = statement(
    `describe storage integration ${objects.storageIntegration} (the AWS role's trust policy needs its IAM user ARN and external id)`,
    describeIntegrationSql(objects),
  );
  out.push(
    describeIntegration,
    statement(`create stage ${objects.stage}`, `CREATE STAGE IF NOT EXISTS ${stageRef(objects)}\n${stageParams(objects, location)}`),
    statement(
      `point stage ${objects.stage} at ${stageUrl(location.bucket, location.prefix)}`,
      `ALTER STAGE ${stageRef(objects)} SET\n${stageParams(objects, location)}`,
    ),
    ...SNOWFLAKE_TABLES.map((t) => statement(`create table ${tableKey(t)}`, createTableSql(objects, t))),
    statement('create table GHLAKE_LOADS', createLoadsTableSql(objects)),
  );
  return { statements: out, describeIntegration, ...(createIntegration ? { createIntegration } : {}) };
}

/** Values of DESC INTEGRATION the AWS side needs. */
export interface IntegrationIdentity {
  iamUserArn?: string;
  externalId?: string;
  allowedLocations?: string;
}

/**
 * How to create the storage integration by hand and wire the AWS role to it — printed when setup
 * runs without --aws-role-arn, when the role may not create integrations, and after a dry run.
 */
export function integrationGuide(objects: SnowflakeObjects, location: SnowflakeLocation, identity?: IntegrationIdentity): string {
  const url = stageUrl(location.bucket, location.prefix);
  const bucketArn = `arn:aws:s3:::${location.bucket}`;
  const lines = [
    `The stage reads s3://${location.bucket} through the storage integration ${objects.storageIntegration}.`,
    `To create it (needs ACCOUNTADMIN or the CREATE INTEGRATION privilege), run once:`,
    '',
    `  ${createIntegrationSql(objects, location, location.awsRoleArn ?? 'arn:aws:iam::<aws-account-id>:role/<role-name>')
      .split('\n')
      .join('\n  ')};`,
    `  ${describeIntegrationSql(objects)};`,
    '',
    `or rerun setup with --aws-role-arn <role ARN> and a role that may create integrations.`,
    `DESC INTEGRATION shows two values for the AWS side: put STORAGE_AWS_IAM_USER_ARN as the`,
    `trusted principal and STORAGE_AWS_EXTERNAL_ID as the sts:ExternalId condition in the IAM`,
    `role's trust policy. The role needs s3:GetObject and s3:GetObjectVersion on`,
    `${bucketArn}/${location.prefix === '' ? '' : `${location.prefix}/`}* and s3:ListBucket on ${bucketArn} (prefix ${location.prefix === '' ? '*' : `${location.prefix}/*`}).`,
  ];
  if (identity?.iamUserArn || identity?.externalId) {
    lines.push(
      '',
      `${objects.storageIntegration} now says:`,
      `  STORAGE_AWS_IAM_USER_ARN = ${identity.iamUserArn ?? '(not shown)'}`,
      `  STORAGE_AWS_EXTERNAL_ID  = ${identity.externalId ?? '(not shown)'}`,
      ...(identity.allowedLocations ? [`  STORAGE_ALLOWED_LOCATIONS = ${identity.allowedLocations} (the stage URL ${url} must be inside one of them)`] : []),
    );
  }
  return lines.join('\n');
}
