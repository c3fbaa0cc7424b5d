/** LEGACY reference (the JSON.parse path before issue 17), kept only for the differential test; deleted with it. */
/**
 * What silver needs of one event, whichever way it was read: straight from the archive line
 * (fused path: the object bronze just parsed) or from a bronze.events row (silver rebuilt from
 * bronze). Both paths build this shape and then share every rule below it.
 */
export interface SilverEventInput {
  eventId: number | bigint;
  eventType: string;
  createdAtMs: number;
  /** hex MD5 of the event object's bytes (bronze event_hash). */
  hash: string;
  actor: Record<string, unknown> | null;
  repo: Record<string, unknown> | null;
  org: Record<string, unknown> | null;
  /** The parsed payload (any JSON value), undefined when the event has none. */
  payload: unknown;
  /** UTF-8 byte length of the payload's text as it stood in the line. */
  payloadBytes: number | null;
  public: boolean | null;
  /**
   * Already decided by whoever read the hour (the fused path's transform keeps the hour's dedup
   * keys); undefined: silver decides with its own set of keys.
   */
  duplicate?: boolean;
}

export function asObject(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export function asString(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Integers only (ids, counts); anything else is NULL, never coerced. */
export function asInt(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
}

export function asBool(v: unknown): boolean | null {
  return typeof v === 'boolean' ? v : null;
}

/** A parsed archive event as silver input (the fused path before issue 17). */
export function silverInputFromParsed(ev: import('./parse-line.js').ParsedEvent): SilverEventInput {
  const o = ev.obj;
  return {
    eventId: ev.eventId,
    eventType: ev.eventType,
    createdAtMs: ev.createdAtMs,
    hash: ev.hash,
    actor: asObject(o.actor),
    repo: asObject(o.repo),
    org: asObject(o.org),
    payload: o.payload,
    payloadBytes: ev.payloadBytes,
    public: typeof o.public === 'boolean' ? o.public : null,
    duplicate: ev.duplicate,
  };
}
