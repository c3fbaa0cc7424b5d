/**
 * The dedup keys of one hour: has an event with this `(event_id, event_type, created_at)` been
 * seen? Ids alone are not unique since October 2025, so the key is all three — but nearly every id
 * of an hour is still its own, so the common case keeps one number per id (created_at and the
 * type's index packed together) instead of a string per event: an hour holds up to ~250k of them,
 * all alive until the hour ends. Only a second event under a seen id takes a full string key.
 */
import { IntMap } from '@ghlake/core';

export interface DedupKeyParts {
  eventId: number | bigint;
  eventType: string;
  createdAtMs: number;
}

/** The identity of an event within the archive, as text (the rare-case key, tests, messages). */
export function dedupKey(e: DedupKeyParts): string {
  return `${e.eventId}|${e.eventType}|${e.createdAtMs}`;
}

/** Type indexes pack below created_at's milliseconds: ms * TYPE_SLOTS + index stays exact up to year ~2248. */
const TYPE_SLOTS = 1024;

export class DedupKeys {
  /** event id → the first event's packed key. */
  private readonly byId = new IntMap();
  /** Ids beyond 2^53 (read as BigInt): rare, kept in a Map. */
  private readonly byBigId = new Map<bigint, number>();
  private readonly types = new Map<string, number>();
  /** Full keys of the events that share an id with the first event seen under it. */
  private readonly others = new Set<string>();

  /** Record the event; true when an event with the same key was recorded before. */
  seen(e: DedupKeyParts): boolean {
    const packed = this.pack(e);
    if (packed === undefined) return this.seenAsText(e);
    let first: number | undefined;
    if (typeof e.eventId === 'number') first = this.byId.getOrSet(e.eventId, packed);
    else {
      first = this.byBigId.get(e.eventId);
      if (first === undefined) this.byBigId.set(e.eventId, packed);
    }
    if (first === undefined) return false;
    return first === packed || this.seenAsText(e);
  }

  private pack(e: DedupKeyParts): number | undefined {
    let type = this.types.get(e.eventType);
    if (type === undefined) {
      if (this.types.size >= TYPE_SLOTS) return undefined;
      type = this.types.size;
      this.types.set(e.eventType, type);
    }
    const packed = e.createdAtMs * TYPE_SLOTS + type;
    return Number.isSafeInteger(packed) ? packed : undefined;
  }

  private seenAsText(e: DedupKeyParts): boolean {
    const key = dedupKey(e);
    if (this.others.has(key)) return true;
    this.others.add(key);
    return false;
  }
}
