/**
 * Consolidation: everything in silver that spans hours. Runs in DuckDB over the silver Parquet.
 *   1. cross-hour dedup of events and payload_details (dedup-events.ts);
 *   2. the entity tables folded from all observation partitions (entities.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { silverEvents, silverPayloadDetails } from '@ghlake/core';
import { dedupPartitionedTable, type FullDedupResult } from './full-dedup.js';
import { consolidateEntities, type EntityResult } from './full-fold.js';

export { dedupPartitionedTable, DEDUP_METADATA_KEY, type FullDedupResult } from './full-dedup.js';
export { consolidateEntities, consolidateEntity, entityFoldStatements, ENTITY_FOLDS, type EntityFold, type EntityResult } from './full-fold.js';

export interface ConsolidationResult {
  events: FullDedupResult;
  payloadDetails: FullDedupResult;
  entities: EntityResult[];
}

export async function consolidate(connection: DuckDBConnection, lake: string): Promise<ConsolidationResult> {
  const events = await dedupPartitionedTable(connection, lake, silverEvents);
  const payloadDetails = await dedupPartitionedTable(connection, lake, silverPayloadDetails);
  const entities = await consolidateEntities(connection, lake);
  return { events, payloadDetails, entities };
}
