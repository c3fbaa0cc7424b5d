/** LEGACY reference (the JSON.parse path before issue 17), kept only for the differential test; deleted with it. */
/**
 * The pure hour transform: decompressed bytes in (any chunking), parsed events and quarantined
 * fragments out through a sink, line accounting kept. No files, no logging: the bronze worker,
 * the fused bronze+silver worker and tests all drive this same code.
 */
import { DedupKeys, emptyAccounting, type LineAccounting } from '@ghlake/bronze';
import { LineSplitter } from '@ghlake/bronze';
import { parseLine, type LineOutcome, type ParsedEvent, type QuarantinedFragment } from './parse-line.js';

export interface HourSink {
  event(ev: ParsedEvent): void;
  quarantine(q: QuarantinedFragment): void;
}

export class HourTransform {
  readonly accounting: LineAccounting = emptyAccounting();
  private readonly keys = new DedupKeys();
  private readonly splitter = new LineSplitter();
  private readonly onLine = (buf: Buffer, s: number, e: number, lineNo: number, terminated: boolean) =>
    this.take(parseLine(buf.subarray(s, e), lineNo, { terminated }));

  constructor(private readonly sink: HourSink) {}

  /** Feed the next decompressed chunk. */
  push(chunk: Buffer): void {
    this.splitter.push(chunk, this.onLine);
  }

  /**
   * No more bytes. `damaged`: the stream ended in damage (corrupt or truncated gzip), so an
   * unterminated last line is quarantined as truncated even if it parses.
   */
  end(damaged = false): LineAccounting {
    this.splitter.end((buf, s, e, lineNo, terminated) => this.take(parseLine(buf.subarray(s, e), lineNo, { terminated, cutByDamage: damaged })));
    this.accounting.lines = this.splitter.lines;
    this.accounting.bytes = this.splitter.bytes;
    return this.accounting;
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
