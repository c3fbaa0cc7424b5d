/**
 * Runs the setup plan statement by statement. The storage integration is where setups fail in
 * practice (creating one needs ACCOUNTADMIN or CREATE INTEGRATION; using one needs it to
 * exist), so those two failures come back with the whole how-to as their hint.
 */
import { ERROR_CODES, GhlakeError } from '@ghlake/core';
import type { SnowflakeLocation, SnowflakeObjects } from './options.js';
import { integrationGuide, planSetup, type IntegrationIdentity } from './setup-plan.js';
import type { SqlExecutor, SqlRow } from './statement.js';

export interface SetupResult {
  statementsRun: number;
  integration: IntegrationIdentity & { name: string; createdByGhlake: boolean };
}

function integrationIdentity(rows: readonly SqlRow[]): IntegrationIdentity {
  const value = (name: string): string | undefined => {
    const row = rows.find((r) => String(r.property ?? r.PROPERTY ?? '').toUpperCase() === name);
    const v = row?.property_value ?? row?.PROPERTY_VALUE;
    return v === undefined || v === null ? undefined : String(v);
  };
  const iamUserArn = value('STORAGE_AWS_IAM_USER_ARN');
  const externalId = value('STORAGE_AWS_EXTERNAL_ID');
  const allowedLocations = value('STORAGE_ALLOWED_LOCATIONS');
  return { ...(iamUserArn ? { iamUserArn } : {}), ...(externalId ? { externalId } : {}), ...(allowedLocations ? { allowedLocations } : {}) };
}

function withHint(error: unknown, hint: string): unknown {
  if (!(error instanceof GhlakeError)) return error;
  return new GhlakeError(error.code, error.message, { hint, cause: error.cause ?? error, retryable: error.retryable, details: error.details });
}

export async function runSetup(
  executor: SqlExecutor,
  objects: SnowflakeObjects,
  location: SnowflakeLocation,
  options: { signal?: AbortSignal } = {},
): Promise<SetupResult> {
  const plan = planSetup(objects, location);
  let identity: IntegrationIdentity = {};
  let statementsRun = 0;
  for (const stmt of plan.statements) {
    if (options.signal?.aborted) throw new GhlakeError(ERROR_CODES.USAGE, 'setup interrupted', { hint: 'run setup again: every statement is idempotent' });
    let rows: SqlRow[];
    try {
      rows = await executor.run(stmt);
    } catch (error) {
      const snowflakeCode = error instanceof GhlakeError ? String(error.details.snowflakeCode ?? '') : '';
      if (stmt === plan.createIntegration) {
        throw withHint(error, `the role may not create storage integrations. ${integrationGuide(objects, location)}\nThen rerun setup without --aws-role-arn.`);
      }
      if (stmt === plan.describeIntegration && snowflakeCode !== '003001') {
        throw withHint(error, `the storage integration ${objects.storageIntegration} must exist before the stage. ${integrationGuide(objects, location)}`);
      }
      throw error;
    }
    statementsRun++;
    if (stmt === plan.describeIntegration) identity = integrationIdentity(rows);
  }
  return { statementsRun, integration: { name: objects.storageIntegration, createdByGhlake: plan.createIntegration !== undefined, ...identity } };
}
