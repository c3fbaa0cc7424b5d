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

/**
 * Decides, line by line, whether a line is read as a line (after gzip damage: read-raw.ts, raw-hour.ts):
 * `line` is what reading it found, `end` the decompressed offset just after it. Returning false
 * stops the hour there: that line and everything after it are not lines (`endAtDamage` reports them
 * as the one `gzip_damage` row).
 */
export type LineGate = (line: LineResult, end: number) => boolean;

/** The `gzip_damage` row keeps at most this much of the first unread bytes (garbage may hold no newline for megabytes). */
export const MAX_DAMAGE_RAW_BYTES = 1 << 20;

/** Reads a line without handing anything on: what a gate decides on (the damage path only). */
const NO_SINK: LineSink = { event: () => undefined, quarantine: () => undefined };

export class HourTransform {
  readonly accounting: LineAccounting = emptyAccounting();
  private readonly keys = new DedupKeys();
  private readonly splitter = new LineSplitter();
  private readonly reader: EventReader;
  private readonly ctx: LineContext = { terminated: true, cutByDamage: false, knownNulFree: false, knownUtf8: false };
  private readonly lineSink: LineSink;
  private readonly gate: LineGate | undefined;
  /** Decompressed offset after the last line handed out, the lines taken, and where a gate stopped the hour. */
  private offset = 0;
  private taken = 0;
  private stoppedAt: { start: number; raw: Buffer } | undefined;
  private readonly onLine = (buf: Buffer, s: number, e: number, lineNo: number, terminated: boolean, checked: number) => {
    if (this.stoppedAt) return;
    const ctx = this.ctx;
    ctx.terminated = terminated;
    ctx.knownNulFree = (checked & NUL_FREE) !== 0;
    ctx.knownUtf8 = (checked & UTF8_VALID) !== 0;
    const start = this.offset;
    this.offset += e - s + (terminated ? 1 : 0);
    // A gated line is read twice: once to decide, once to hand on (damaged hours only).
    if (this.gate && !this.gate(this.reader.readLine(buf, s, e, lineNo, ctx, NO_SINK), this.offset)) {
      this.stoppedAt = { start, raw: Buffer.from(buf.subarray(s, e)) };
      return;
    }
    this.taken++;
    this.take(this.reader.readLine(buf, s, e, lineNo, ctx, this.lineSink));
  };

  private readonly lineSinkQuarantineRaw: (q: QuarantinedFragment) => void;

  constructor(sink: HourSink, options: EventReaderOptions & { gate?: LineGate } = {}) {
    this.gate = options.gate;
    this.lineSinkQuarantineRaw = (q) => sink.quarantine(q);
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

  /**
   * No more bytes: the stream ended in gzip damage. Every line completed before the damage (and
   * let through by the gate) is a line; the unterminated rest, or the line the gate stopped at and
   * everything after it, is not: it is reported once, as ONE `gzip_damage` quarantine row (counted
   * in quarantine rows, not in lines) whose raw bytes are that first unread line or rest.
   */
  endAtDamage(describe: (damagedFrom: number, unread: number) => string): LineAccounting {
    let rest: Buffer | undefined;
    this.splitter.end((buf, s, e) => {
      if (!this.stoppedAt) rest = Buffer.from(buf.subarray(s, e));
    });
    const damagedFrom = this.stoppedAt?.start ?? this.offset;
    const acc = this.accounting;
    acc.lines = this.taken;
    acc.bytes = this.splitter.bytes;
    acc.quarantineRows++;
    acc.quarantinedByReason.gzip_damage = (acc.quarantinedByReason.gzip_damage ?? 0) + 1;
    this.lineSinkQuarantineRaw({
      sourceLine: this.taken + 1,
      fragment: 0,
      reason: 'gzip_damage',
      detail: describe(damagedFrom, this.splitter.bytes - damagedFrom),
      raw: (this.stoppedAt?.raw ?? rest ?? Buffer.alloc(0)).subarray(0, MAX_DAMAGE_RAW_BYTES),
    });
    return acc;
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
  era: string;
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
    era: ev.era,
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
