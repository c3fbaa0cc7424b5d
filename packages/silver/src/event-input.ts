/**
 * What silver reads of one event, whichever way it was read: straight from the archive line (the
 * fused path: the view bronze's line reader just filled) or from a bronze.events row (silver
 * rebuilt from bronze: `BronzeRowEvent` reads the row's member texts with the same reader). Both
 * give an `EventView`, and every silver rule below reads the same slots of it.
 */
import { ERA_EVENTS_API, EVENT_FIELDS, JsonReader, SLOT_COUNT, type Era, type EventView, type StringSink } from '@ghlake/bronze';

export type SilverEventInput = EventView;

/** The member texts of a bronze.events row, as hyparquet reads them. */
export interface BronzeEventRow {
  event_id: number | bigint;
  event_type: string;
  created_at_ms: number;
  event_hash: string;
  actor: string | null;
  repo: string | null;
  org: string | null;
  payload: string | null;
  public: boolean | null;
  /** Unknown top-level members (`{"repository":...,"url":...}` of a Timeline line). */
  other: string | null;
  era: Era;
}

/**
 * A bronze.events row as an event view: its actor/repo/org/payload texts — the exact bytes of the
 * line — are read by the same line reader, so every slot holds what the fused path saw.
 */
export class BronzeRowEvent implements EventView {
  readonly fields = new JsonReader(EVENT_FIELDS, SLOT_COUNT);
  sourceLine = 0;
  fragment = 0;
  eventId: number | bigint = 0;
  era: Era = ERA_EVENTS_API;
  eventType = '';
  createdAtMs = 0;
  hash = '';
  objStart = 0;
  objEnd = 0;
  duplicate = false;

  otherText(): string | null {
    return null;
  }

  pushHash(column: StringSink): void {
    column.pushString(this.hash);
  }

  read(row: BronzeEventRow): this {
    const members: string[] = [];
    for (const key of ['actor', 'repo', 'org', 'payload'] as const) {
      const text = row[key];
      if (text !== null) members.push(`"${key}":${text}`);
    }
    if (row.public !== null) members.push(`"public":${row.public}`);
    // `other` is an object text of `"key":value` members as they stood: its members join the object.
    if (row.other !== null && row.other.length > 2) members.push(row.other.slice(1, -1));
    const bytes = Buffer.from(`{${members.join(',')}}\n`);
    const end = this.fields.readObject(bytes, 0);
    if (end !== bytes.length - 1) throw new Error(`bronze.events row of event ${row.event_id}: its member texts are not valid JSON`);
    this.eventId = row.event_id;
    this.era = row.era;
    this.eventType = row.event_type;
    this.createdAtMs = row.created_at_ms;
    this.hash = row.event_hash;
    this.objEnd = end;
    return this;
  }
}
