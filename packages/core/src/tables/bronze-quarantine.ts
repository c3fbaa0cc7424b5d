import { col, type TableDecl } from './types.js';

/**
 * bronze.quarantine — grain: one row per archive line (or line fragment) that could not
 * become an event. Nothing is dropped silently: every bad line lands here with a reason.
 * Key: (source_file, source_line, fragment). Partitioned by source hour.
 */
export const bronzeQuarantine = {
  layer: 'bronze',
  name: 'quarantine',
  grain: 'one row per quarantined line or line fragment',
  key: ['source_file', 'source_line', 'fragment'],
  partitioning: 'hour',
  columns: [
    col('source_file', 'VARCHAR', false, 'archive file name'),
    col('source_line', 'BIGINT', false, '1-based line number in the decompressed file'),
    col('fragment', 'INTEGER', false, '0 for a whole line; n for the n-th object of a line that held several'),
    col(
      'reason',
      'VARCHAR',
      false,
      'stable reason code: invalid_json, truncated_line, spliced_event, nul_bytes, invalid_utf8, line_too_long, not_an_object, missing_id, invalid_id, missing_type, missing_created_at, invalid_created_at, timeline_format; gzip_damage: not a line but where the gzip stream is damaged — one row per damaged hour, detail naming the byte offset, raw the first unread bytes (docs/transform.md)',
    ),
    col('detail', 'VARCHAR', true, 'human-readable detail (parser message)'),
    col('raw', 'BLOB', false, "the line's exact bytes (binary-safe: NULs and invalid UTF-8 kept); for a fragment > 0, that fragment's bytes", {
      distinctValues: true,
    }),
    col('raw_length', 'BIGINT', false, 'length of `raw` in bytes'),
    col('quarantined_at', 'TIMESTAMP', false, 'when the row was written, UTC'),
  ],
} as const satisfies TableDecl;
