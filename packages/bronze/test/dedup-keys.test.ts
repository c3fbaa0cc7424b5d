/**
 * DedupKeys: one key per (event_id, event_type, created_at) — since October 2025 an id alone
 * is not unique, so events that share only their id are all kept.
 */
import { describe, expect, it } from 'vitest';
import { DedupKeys } from '../src/index.js';

const T = Date.parse('2025-12-15T10:00:00Z');

describe('DedupKeys', () => {
  it('these events in, these verdicts out', () => {
    const keys = new DedupKeys();
    const verdicts = [
      { eventId: 6_700_000_001, eventType: 'PushEvent', createdAtMs: T }, // new
      { eventId: 6_700_000_001, eventType: 'PushEvent', createdAtMs: T }, // a true duplicate
      { eventId: 6_700_000_001, eventType: 'WatchEvent', createdAtMs: T }, // same id, another type: kept
      { eventId: 6_700_000_001, eventType: 'PushEvent', createdAtMs: T + 1 }, // same id and type, another time: kept
      { eventId: 6_700_000_001, eventType: 'WatchEvent', createdAtMs: T }, // duplicate of the third
      { eventId: 6_700_000_001, eventType: 'PushEvent', createdAtMs: T + 1 }, // duplicate of the fourth
      { eventId: 6_700_000_002, eventType: 'PushEvent', createdAtMs: T }, // another id
      { eventId: 12_345_678_901_234_567_890n, eventType: 'PushEvent', createdAtMs: T }, // an id beyond 2^53
      { eventId: 12_345_678_901_234_567_890n, eventType: 'PushEvent', createdAtMs: T },
      { eventId: 5, eventType: 'CreateEvent', createdAtMs: -86_400_000 }, // a time before 1970
      { eventId: 5, eventType: 'CreateEvent', createdAtMs: -86_400_000 },
      { eventId: 5, eventType: 'CreateEvent', createdAtMs: -86_400_001 },
    ].map((e) => keys.seen(e));
    expect(verdicts).toEqual([false, true, false, false, true, true, false, false, true, false, true, false]);
  });

  it('more event types than the packed form holds: still exact (full keys)', () => {
    const keys = new DedupKeys();
    const types = Array.from({ length: 1500 }, (_, i) => `Type${i}Event`);
    expect(types.map((eventType) => keys.seen({ eventId: 1, eventType, createdAtMs: T })).every((v) => v === false)).toBe(true);
    expect(types.map((eventType) => keys.seen({ eventId: 1, eventType, createdAtMs: T })).every((v) => v === true)).toBe(true);
  });

  it('a whole hour of ids, dense and far apart (the table grows past its first size): every first sight new, every repeat a duplicate', () => {
    const keys = new DedupKeys();
    const ids = [
      ...Array.from({ length: 150_000 }, (_, i) => 12_660_541_189 + i), // one hour of consecutive ids
      ...Array.from({ length: 50_000 }, (_, i) => (i + 1) * 4_294_967_296), // differ only above bit 32
      ...Array.from({ length: 50_000 }, (_, i) => i * 65_536), // differ only above bit 16
    ];
    const first = ids.map((eventId) => keys.seen({ eventId, eventType: 'PushEvent', createdAtMs: T }));
    const again = ids.map((eventId) => keys.seen({ eventId, eventType: 'PushEvent', createdAtMs: T }));
    expect(first.filter(Boolean)).toHaveLength(0);
    expect(again.filter((v) => !v)).toHaveLength(0);
  });
});
