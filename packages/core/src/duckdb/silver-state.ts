/**
 * The silver side of the lake's state database — declared here, in core, because it is the
 * contract between silver (which writes it, packages/silver/src/consolidate) and gold (which
 * reads the change log and the event-copy index).
 *
 * What silver keeps in the lake's state database (`<lake>/_state/state.duckdb`) so that adding an
 * hour costs that hour, not the lake:
 *
 *   event_copies     one row per copy of an event in a consolidated source hour (the transform's
 *                    rows, duplicates across hours included): the cross-hour dedup index and the
 *                    gold inputs of every copy. Appended in created_at order, so a query for the
 *                    few hour buckets a new hour touches reads only their row groups (zone maps).
 *   source_hours     per consolidated source hour: the created_at span of its copies (where to
 *                    find them again when the hour is redone), how many it has, and `seq`: the
 *                    silver commit that last wrote its partition files (consolidated it, or rewrote
 *                    it when another hour took or gave back a copy) — what an incremental upload
 *                    follows.
 *   set_aside_*      full silver rows of copies a source hour holds but another (earlier) hour
 *                    keeps: nothing is lost, and an hour regains them if the keeper is redone
 *                    without them.
 *   <entity>_state   the entity tables' current rows plus, per attribute, the (seen_at, source
 *                    hour) of the observation that gave its value: what merging the next hour
 *                    needs to apply the "latest non-NULL wins" rule without reading old hours.
 *   change_events,   what each silver commit changed (−1 / +1 rows of silver.events' gold inputs;
 *   change_<entity>  the entity rows it rewrote), read by gold and removed once gold applied it.
 *   silver_journal   the file moves of a committed silver commit not yet applied.
 *   login_ids        per account login (lower case), the id the lake knows for it: the earliest
 *                    evidence (seen_at, then the smallest id) among the consolidated hours'
 *                    observations of an account with a real id and a login (docs/transform.md,
 *                    Timeline, "Resolution across hours"), NULL without; and its synthetic id once
 *                    an hour carried it synthetic (whether a learned id concerns published rows,
 *                    known from the row the commit reads anyway).
 *   login_uses       per consolidated source hour, the logins its Timeline rows carry without a real
 *                    id (the synthetic id) and the id those rows were given (`applied_id`, NULL:
 *                    still synthetic): which hours to re-key when a login's id changes, read by key.
 */
import { ENTITY_RULES, entityAttributes, type EntityRule } from '../tables/silver-observations.js';
import { silverEvents } from '../tables/silver-events.js';
import { silverPayloadDetails } from '../tables/silver-payload-details.js';
import type { TableDecl } from '../tables/types.js';
import { columnDefinitions, sqlIdent } from './sql.js';
import { STATE_META, type StateTable } from './state-db.js';

/** silver.events columns gold reads (the change log carries these, with the event key). */
export const GOLD_INPUT_COLUMNS = ['event_id', 'event_type', 'created_at', 'actor_id', 'repo_id', 'org_id', 'is_bot'] as const;

const goldInputs = silverEvents.columns.filter((c) => (GOLD_INPUT_COLUMNS as readonly string[]).includes(c.name));
const goldInputDecl: Pick<TableDecl, 'columns'> = { columns: goldInputs };

export const EVENT_COPIES: StateTable = {
  name: 'event_copies',
  columns: columnDefinitions(goldInputDecl, ['source_hour INTEGER NOT NULL']),
};

export const SOURCE_HOURS: StateTable = {
  name: 'source_hours',
  columns: 'source_hour INTEGER NOT NULL, min_created_at TIMESTAMP, max_created_at TIMESTAMP, copies BIGINT NOT NULL, seq BIGINT NOT NULL',
};

export const SET_ASIDE_EVENTS: StateTable = {
  name: 'set_aside_events',
  columns: columnDefinitions(silverEvents, ['source_hour INTEGER NOT NULL', 'source_row BIGINT NOT NULL']),
};

export const SET_ASIDE_PAYLOAD_DETAILS: StateTable = {
  name: 'set_aside_payload_details',
  columns: columnDefinitions(silverPayloadDetails, ['source_hour INTEGER NOT NULL', 'source_row BIGINT NOT NULL']),
};

export const CHANGE_EVENTS: StateTable = {
  name: 'change_events',
  columns: columnDefinitions(goldInputDecl, ['seq BIGINT NOT NULL', 'sign TINYINT NOT NULL']),
};

export const SILVER_JOURNAL: StateTable = {
  name: 'silver_journal',
  columns: 'seq BIGINT NOT NULL, step INTEGER NOT NULL, op VARCHAR NOT NULL, src VARCHAR, dst VARCHAR NOT NULL',
};

/** The (seen_at, source hour) columns that date an entity attribute's current value. */
export const seenColumn = (attribute: string) => sqlIdent(`${attribute}__seen`);
export const hourColumn = (attribute: string) => sqlIdent(`${attribute}__hour`);

export function entityStateTable(rule: EntityRule): StateTable {
  return {
    name: `${rule.entity.name}_state`,
    columns: columnDefinitions(
      rule.entity,
      entityAttributes(rule).flatMap(({ attribute }) => [`${seenColumn(attribute)} TIMESTAMP`, `${hourColumn(attribute)} INTEGER`]),
    ),
  };
}

export function entityChangeTable(rule: EntityRule): StateTable {
  return { name: `change_${rule.entity.name}`, columns: columnDefinitions(rule.entity, ['seq BIGINT NOT NULL', 'changed BOOLEAN NOT NULL']) };
}

export const LOGIN_IDS: StateTable = {
  name: 'login_ids',
  columns: 'login VARCHAR NOT NULL, id BIGINT, seen_at TIMESTAMP, source_hour INTEGER, synthetic_id BIGINT',
};

export const LOGIN_USES: StateTable = {
  name: 'login_uses',
  columns: 'login VARCHAR NOT NULL, source_hour INTEGER NOT NULL, synthetic_id BIGINT NOT NULL, applied_id BIGINT',
};

export const SILVER_STATE_TABLES: readonly StateTable[] = [
  STATE_META,
  EVENT_COPIES,
  SOURCE_HOURS,
  SET_ASIDE_EVENTS,
  SET_ASIDE_PAYLOAD_DETAILS,
  CHANGE_EVENTS,
  SILVER_JOURNAL,
  LOGIN_IDS,
  LOGIN_USES,
  ...ENTITY_RULES.flatMap((rule) => [entityStateTable(rule), entityChangeTable(rule)]),
];

/** `state_meta` key of the last committed silver commit. */
export const SILVER_HEAD = 'silver.head';

/** Parquet key/value metadata of a published silver partition: how many of its copies an earlier hour keeps (set aside). */
export const DEDUP_METADATA_KEY = 'ghlake.consolidation.duplicates_removed';
