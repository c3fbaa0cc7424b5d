/**
 * The pure hour transform: decompressed bytes in (any chunking), parsed events and quarantined
 * fragments out through a sink, line accounting kept. No files, no logging: the bronze worker,
 * the fused bronze+silver worker and tests all drive this same code.
 */
import { emptyAccounting, type LineAccounting } from './accounting.js';
import { DedupKeys } from './dedup-keys.js';
import { LineSplitter } from './line-splitter.js';
import { parseLine, type LineOutcome, type ParsedEvent, type QuarantinedFragment } from './parse-line.js';

export interface HourSink {
  event(ev: ParsedEvent): void;
  quarantine(q: QuarantinedFragment): void;
}

/**
 * Decides, line by line, whether a line is read as a line: `end` is the decompressed offset
 * just after it. Returning false stops the hour there: that line and everything after it are
 * not lines (with `endAtDamage` they are reported as the one `gzip_damage` row).
 */
/** The `gzip_damage` row keeps at most this much of the first unread bytes (garbage may hold no newline for megabytes). */
export const MAX_DAMAGE_RAW_BYTES = 1 << 20;

export type LineGate = (outcome: LineOutcome, end: number) => boolean;

export class HourTransform {
  readonly accounting: LineAccounting = emptyAccounting();
  private readonly keys = new DedupKeys();
  private readonly splitter = new LineSplitter();
  /** Decompressed offset after the last line handed out, and the lines taken. */
  private offset = 0;
  private taken = 0;
  private stoppedAt: { start: number; raw: Buffer } | undefined;
  private readonly onLine = (line: Buffer, lineNo: number, terminated: boolean) => {
    if (this.stoppedAt) return;
    const start = this.offset;
    this.offset += line.length + (terminated ? 1 : 0);
    const outcome = parseLine(line, lineNo, { terminated });
    if (this.gate && !this.gate(outcome, this.offset)) {
      this.stoppedAt = { start, raw: Buffer.from(line) };
      return;
    }
    this.taken++;
    this.take(outcome);
  };

  constructor(
    private readonly sink: HourSink,
    private readonly gate?: LineGate,
  ) {}

  /** Feed the next decompressed chunk. */
  push(chunk: Buffer): void {
    this.splitter.push(chunk, this.onLine);
  }

  /**
   * No more bytes. `damaged`: the stream ended in damage (corrupt or truncated gzip), so an
   * unterminated last line is quarantined as truncated even if it parses.
   */
  end(damaged = false): LineAccounting {
    this.splitter.end((line, lineNo, terminated) => this.take(parseLine(line, lineNo, { terminated, cutByDamage: damaged })));
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
    this.splitter.end((line) => {
      if (!this.stoppedAt) rest = line;
    });
    const damagedFrom = this.stoppedAt?.start ?? this.offset;
    const acc = this.accounting;
    acc.lines = this.taken;
    acc.bytes = this.splitter.bytes;
    acc.quarantineRows++;
    acc.quarantinedByReason.gzip_damage = (acc.quarantinedByReason.gzip_damage ?? 0) + 1;
    this.sink.quarantine({
      sourceLine: this.taken + 1,
      fragment: 0,
      reason: 'gzip_damage',
      detail: describe(damagedFrom, this.splitter.bytes - damagedFrom),
      raw: (this.stoppedAt?.raw ?? rest ?? Buffer.alloc(0)).subarray(0, MAX_DAMAGE_RAW_BYTES),
    });
    return acc;
  }

  private take(outcome: LineOutcome): void {
    const acc = this.accounting;
    if (outcome.blank) {
      acc.blankLines++;
      return;
    }
    const { events, quarantined } = outcome;
    if (events.length > 0) {
      acc.eventLines++;
      if (outcome.nulBytesRemoved > 0) acc.nulLinesRepaired++;
    } else {
      acc.quarantinedLines++;
    }
    if (events.length + quarantined.length > 1 || (events.length > 0 && events[0]!.fragment > 0)) acc.multiObjectLines++;
    acc.nulBytesRemoved += outcome.nulBytesRemoved;
    for (const ev of events) {
      acc.events++;
      ev.duplicate = this.keys.seen(ev);
      if (ev.duplicate) acc.duplicates++;
      this.sink.event(ev);
    }
    for (const q of quarantined) {
      acc.quarantineRows++;
      acc.quarantinedByReason[q.reason] = (acc.quarantinedByReason[q.reason] ?? 0) + 1;
      this.sink.quarantine(q);
    }
  }
}

/** Transform a whole hour held in memory (tests, small inputs): everything collected. */
export function transformHourBytes(
  bytes: Buffer,
  options: { damaged?: boolean; chunkSize?: number } = {},
): { events: ParsedEvent[]; quarantined: QuarantinedFragment[]; accounting: LineAccounting } {
  const events: ParsedEvent[] = [];
  const quarantined: QuarantinedFragment[] = [];
  const t = new HourTransform({ event: (e) => events.push(e), quarantine: (q) => quarantined.push(q) });
  const step = options.chunkSize ?? bytes.length;
  for (let i = 0; i < bytes.length; i += Math.max(step, 1)) t.push(bytes.subarray(i, i + Math.max(step, 1)));
  const accounting = t.end(options.damaged ?? false);
  return { events, quarantined, accounting };
}
