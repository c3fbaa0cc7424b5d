export * from './types.js';
export { bronzeEvents } from './bronze-events.js';
export { bronzeQuarantine } from './bronze-quarantine.js';
export { silverEvents } from './silver-events.js';
export { silverPayloadDetails } from './silver-payload-details.js';
export { silverActors } from './silver-actors.js';
export { silverRepositories } from './silver-repositories.js';
export { silverOrganizations } from './silver-organizations.js';
export {
  silverActorObservations,
  silverRepositoryObservations,
  silverOrganizationObservations,
  ENTITY_RULES,
  entityAttributes,
  type EntityRule,
  type EntityAttributeGroup,
} from './silver-observations.js';
export { goldActorMetrics } from './gold-actor-metrics.js';
export { goldRepoMetrics } from './gold-repo-metrics.js';
export { goldOrgMetrics } from './gold-org-metrics.js';
export { goldEventTypeMetrics } from './gold-event-type-metrics.js';
export { goldDailySummary } from './gold-daily-summary.js';
export { goldRepoDailyMetrics } from './gold-repo-daily-metrics.js';
export { goldActorDailyMetrics } from './gold-actor-daily-metrics.js';
export { goldOrgDailyMetrics } from './gold-org-daily-metrics.js';
export { DAILY_EVENT_KIND_COLUMNS } from './daily-event-kinds.js';

import { bronzeEvents } from './bronze-events.js';
import { bronzeQuarantine } from './bronze-quarantine.js';
import { silverEvents } from './silver-events.js';
import { silverPayloadDetails } from './silver-payload-details.js';
import { silverActors } from './silver-actors.js';
import { silverRepositories } from './silver-repositories.js';
import { silverOrganizations } from './silver-organizations.js';
import { silverActorObservations, silverRepositoryObservations, silverOrganizationObservations } from './silver-observations.js';
import { goldActorMetrics } from './gold-actor-metrics.js';
import { goldRepoMetrics } from './gold-repo-metrics.js';
import { goldOrgMetrics } from './gold-org-metrics.js';
import { goldEventTypeMetrics } from './gold-event-type-metrics.js';
import { goldDailySummary } from './gold-daily-summary.js';
import { goldRepoDailyMetrics } from './gold-repo-daily-metrics.js';
import { goldActorDailyMetrics } from './gold-actor-daily-metrics.js';
import { goldOrgDailyMetrics } from './gold-org-daily-metrics.js';
import type { TableDecl } from './types.js';

export const BRONZE_TABLES = [bronzeEvents, bronzeQuarantine] as const satisfies readonly TableDecl[];
/** The five seed silver tables. */
export const SILVER_TABLES = [
  silverEvents,
  silverActors,
  silverRepositories,
  silverOrganizations,
  silverPayloadDetails,
] as const satisfies readonly TableDecl[];
/** Per-hour entity observations written by the hour transform, consolidated into the entity tables. */
export const SILVER_OBSERVATION_TABLES = [
  silverActorObservations,
  silverRepositoryObservations,
  silverOrganizationObservations,
] as const satisfies readonly TableDecl[];
export const GOLD_TABLES = [
  goldActorMetrics,
  goldRepoMetrics,
  goldOrgMetrics,
  goldEventTypeMetrics,
  goldDailySummary,
  goldRepoDailyMetrics,
  goldActorDailyMetrics,
  goldOrgDailyMetrics,
] as const satisfies readonly TableDecl[];
export const ALL_TABLES: readonly TableDecl[] = [...BRONZE_TABLES, ...SILVER_TABLES, ...SILVER_OBSERVATION_TABLES, ...GOLD_TABLES];

export function findTable(layer: TableDecl['layer'], name: string): TableDecl {
  const t = ALL_TABLES.find((x) => x.layer === layer && x.name === name);
  if (!t) throw new Error(`no table ${layer}.${name}`);
  return t;
}
