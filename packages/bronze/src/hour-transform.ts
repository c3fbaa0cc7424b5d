/**
 * The pure hour transform: decompressed bytes in (any chunking), events and quarantined
 * fragments out through a sink, line accounting kept. No files, no logging: the bronze worker,
 * the fused bronze+silver worker and tests all drive this same code.
 */
import { emptyAccounting, type LineAccounting } from './accounting.js';
import { DedupKeys } from './dedup-keys.js';
import {
  EventReader,
  type EventReaderOptions,
  type EventView,
  type LineContext,
  type LineResult,
  type LineSink,
  type QuarantinedFragment,
} from './event-reader.js';
import { LineSplitter, NUL_FREE, UTF8_VALID } from './line-splitter.js';
import { slotOf } from './event-fields.js';
import { KIND_ABSENT } from './json-reader.js';

export interface HourSink {
  /** The view is valid during the call only (the reader reuses it). */
  event(ev: EventView): void;
  quarantine(q: QuarantinedFragment): void;
}

export class HourTransform {
  readonly accounting: LineAccounting = emptyAccounting();
  private readonly keys = new DedupKeys();
  private readonly splitter = new LineSplitter();
  private readonly reader: EventReader;
  private readonly ctx: LineContext = { terminated: true, cutByDamage: false, knownNulFree: false, knownUtf8: false };
  private readonly lineSink: LineSink;
  private readonly onLine = (buf: Buffer, s: number, e: number, lineNo: number, terminated: boolean, checked: number) => {
    const ctx = this.ctx;
    ctx.terminated = terminated;
    ctx.knownNulFree = (checked & NUL_FREE) !== 0;
    ctx.knownUtf8 = (checked & UTF8_VALID) !== 0;
    this.take(this.reader.readLine(buf, s, e, lineNo, ctx, this.lineSink));
  };

  constructor(sink: HourSink, options: EventReaderOptions = {}) {
    this.reader = new EventReader(options);
    const acc = this.accounting;
    const keys = this.keys;
    this.lineSink = {
      event(ev) {
        acc.events++;
        ev.duplicate = keys.seen(ev);
        if (ev.duplicate) acc.duplicates++;
        sink.event(ev);
      },
      quarantine(q) {
        acc.quarantineRows++;
        acc.quarantinedByReason[q.reason] = (acc.quarantinedByReason[q.reason] ?? 0) + 1;
        sink.quarantine(q);
      },
    };
  }

  /** Feed the next decompressed chunk. */
  push(chunk: Buffer): void {
    this.splitter.push(chunk, this.onLine);
  }

  /**
   * No more bytes. `damaged`: the stream ended in damage (corrupt or truncated gzip), so an
   * unterminated last line is quarantined as truncated even if it reads.
   */
  end(damaged = false): LineAccounting {
    this.ctx.cutByDamage = damaged;
    this.splitter.end(this.onLine);
    this.ctx.cutByDamage = false;
    this.accounting.lines = this.splitter.lines;
    this.accounting.bytes = this.splitter.bytes;
    return this.accounting;
  }

  private take(r: LineResult): void {
    const acc = this.accounting;
    if (r.blank) {
      acc.blankLines++;
      return;
    }
    if (r.events > 0) {
      acc.eventLines++;
      if (r.nulBytesRemoved > 0) acc.nulLinesRepaired++;
    } else {
      acc.quarantinedLines++;
    }
    if (r.events + r.quarantined > 1 || (r.events > 0 && r.firstFragment > 0)) acc.multiObjectLines++;
    acc.nulBytesRemoved += r.nulBytesRemoved;
  }
}

/** An event copied out of the reader's view (tests, tools: what `transformHourBytes` collects). */
export interface EventSnapshot {
  sourceLine: number;
  fragment: number;
  eventId: number | bigint;
  eventType: string;
  createdAtMs: number;
  hash: string;
  duplicate: boolean;
  /** The exact bytes of the members as they stood in the line; null when absent. */
  payload: Buffer | null;
  actor: Buffer | null;
  repo: Buffer | null;
  org: Buffer | null;
  otherText: string | null;
  public: boolean | null;
}

const MEMBERS = { payload: slotOf('payload'), actor: slotOf('actor'), repo: slotOf('repo'), org: slotOf('org'), public: slotOf('public') };

export function snapshotEvent(ev: EventView): EventSnapshot {
  const f = ev.fields;
  const bytes = (slot: number) => (f.kindOf(slot) === KIND_ABSENT ? null : Buffer.from(f.buf.subarray(f.start[slot]!, f.end[slot]!)));
  return {
    sourceLine: ev.sourceLine,
    fragment: ev.fragment,
    eventId: ev.eventId,
    eventType: ev.eventType,
    createdAtMs: ev.createdAtMs,
    hash: ev.hash,
    duplicate: ev.duplicate,
    payload: bytes(MEMBERS.payload),
    actor: bytes(MEMBERS.actor),
    repo: bytes(MEMBERS.repo),
    org: bytes(MEMBERS.org),
    otherText: ev.otherText(),
    public: f.bool(MEMBERS.public),
  };
}

/** Transform a whole hour held in memory (tests, small inputs): everything collected. */
export function transformHourBytes(
  bytes: Buffer,
  options: { damaged?: boolean; chunkSize?: number } & EventReaderOptions = {},
): { events: EventSnapshot[]; quarantined: QuarantinedFragment[]; accounting: LineAccounting } {
  const events: EventSnapshot[] = [];
  const quarantined: QuarantinedFragment[] = [];
  const t = new HourTransform({ event: (e) => events.push(snapshotEvent(e)), quarantine: (q) => quarantined.push(q) }, options);
  const step = Math.max(options.chunkSize ?? bytes.length, 1);
  for (let i = 0; i < bytes.length; i += step) t.push(bytes.subarray(i, i + step));
  const accounting = t.end(options.damaged ?? false);
  return { events, quarantined, accounting };
}
