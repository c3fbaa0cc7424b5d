import { transformHourBytes, type Era } from '@ghlake/bronze';
import { BronzeRowEvent } from '../src/index.js';

type StagedEvent = ReturnType<typeof transformHourBytes>['events'][number];

/** An event of an hour read back from its bronze member texts, as silver-from-bronze reads a bronze row. */
export function bronzeRowView(s: StagedEvent): BronzeRowEvent {
  const text = (b: Buffer | null) => (b === null ? null : b.toString());
  return new BronzeRowEvent().read({
    event_id: s.eventId,
    event_type: s.eventType,
    created_at_ms: s.createdAtMs,
    event_hash: s.hash,
    actor: text(s.actor),
    repo: text(s.repo),
    org: text(s.org),
    payload: text(s.payload),
    public: s.public,
    other: s.otherText,
    era: s.era as Era,
  });
}
