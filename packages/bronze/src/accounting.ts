/**
 * Line accounting: every line of an hour is either blank, a line that gave at least one event,
 * or a quarantined line (no event, at least one quarantine row). So
 *
 *   lines = eventLines + quarantinedLines + blankLines
 *
 * A line holding two events counts once in eventLines and twice in events; a line whose cut
 * start was quarantined and whose spliced tail became an event counts in eventLines, with its
 * quarantine row in quarantineRows. The counts are checked against the rows actually written
 * (`reconcile`), kept in the Parquet footer of bronze.events and in `_accounting.json` beside it.
 */
import { ERROR_CODES, GhlakeError } from '@ghlake/core';

export interface LineAccounting {
  /** Every line read, terminated or not (see line-splitter.ts). */
  lines: number;
  blankLines: number;
  eventLines: number;
  quarantinedLines: number;
  /** Event rows (bronze.events). */
  events: number;
  /** Quarantine rows (bronze.quarantine); a line may give more than one. */
  quarantineRows: number;
  quarantinedByReason: Record<string, number>;
  /** Lines that held several objects (`}{`) or a spliced event. */
  multiObjectLines: number;
  /** Lines kept after their NUL bytes were removed, and how many bytes that was. */
  nulLinesRepaired: number;
  nulBytesRemoved: number;
  /** Events repeating an earlier event of the hour (same event_id, event_type, created_at): kept in bronze, dropped by silver. */
  duplicates: number;
  /** Decompressed bytes read. */
  bytes: number;
}

export function emptyAccounting(): LineAccounting {
  return {
    lines: 0,
    blankLines: 0,
    eventLines: 0,
    quarantinedLines: 0,
    events: 0,
    quarantineRows: 0,
    quarantinedByReason: {},
    multiObjectLines: 0,
    nulLinesRepaired: 0,
    nulBytesRemoved: 0,
    duplicates: 0,
    bytes: 0,
  };
}

/** Throws GHLAKE_RECONCILIATION unless every line is accounted for and every row was written. */
export function reconcile(hour: string, acc: LineAccounting, written: { events: number; quarantineRows: number }): void {
  const problems: string[] = [];
  const sum = acc.eventLines + acc.quarantinedLines + acc.blankLines;
  if (sum !== acc.lines)
    problems.push(`lines read ${acc.lines} != event lines ${acc.eventLines} + quarantined lines ${acc.quarantinedLines} + blank lines ${acc.blankLines}`);
  if (written.events !== acc.events) problems.push(`events parsed ${acc.events} != bronze rows written ${written.events}`);
  if (written.quarantineRows !== acc.quarantineRows) problems.push(`quarantined ${acc.quarantineRows} != quarantine rows written ${written.quarantineRows}`);
  const byReason = Object.values(acc.quarantinedByReason).reduce((a, b) => a + b, 0);
  if (byReason !== acc.quarantineRows) problems.push(`quarantine reasons add up to ${byReason}, not ${acc.quarantineRows}`);
  if (problems.length > 0) {
    throw new GhlakeError(ERROR_CODES.RECONCILIATION, `hour ${hour} does not reconcile: ${problems.join('; ')}`, {
      hint: 'this is a bug in ghlake, nothing was published for the hour; please report it with the hour',
      details: { hour, accounting: acc, written },
    });
  }
}
