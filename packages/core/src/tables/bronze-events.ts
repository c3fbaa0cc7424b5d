import { col, type TableDecl } from './types.js';

/**
 * bronze.events — grain: one row per event object read from an archive line (a line holding
 * two objects gives two rows). Duplicates stay: bronze records what the archive held.
 * Key: (source_file, source_line, fragment). Partitioned by source hour.
 */
export const bronzeEvents = {
  layer: 'bronze',
  name: 'events',
  grain: 'one row per event object in the archive, duplicates included',
  key: ['source_file', 'source_line', 'fragment'],
  partitioning: 'hour',
  columns: [
    col(
      'event_id',
      'BIGINT',
      false,
      'top-level `id` (a numeric string in the archive) as BIGINT; Timeline lines (no id): a synthetic negative id from a hash of the event (docs/transform.md, Timeline)',
    ),
    col('event_type', 'VARCHAR', false, 'top-level `type`'),
    col('created_at', 'TIMESTAMP', false, 'top-level `created_at`, parsed, UTC'),
    col('actor_id', 'BIGINT', true, '`actor.id`; NULL when the event has no actor; Timeline: `actor_attributes.id` (rarely present)'),
    col('actor_login', 'VARCHAR', true, '`actor.login`; Timeline: `actor` (a login string), else `actor_attributes.login`'),
    col('repo_id', 'BIGINT', true, '`repo.id`; Timeline: `repository.id`'),
    col('repo_name', 'VARCHAR', true, '`repo.name`; Timeline: `repository.owner` + `/` + `repository.name`'),
    col('org_id', 'BIGINT', true, '`org.id`; NULL when the event has no org; Timeline: NULL (no org id in the line)'),
    col('org_login', 'VARCHAR', true, '`org.login`; Timeline: `repository.organization`'),
    col('public', 'BOOLEAN', true, 'top-level `public`'),
    col('payload', 'JSON', true, '`payload` as JSON text exactly as it stood in the line (never re-serialized)', { distinctValues: true }),
    col(
      'other',
      'JSON',
      true,
      'unknown top-level keys as a JSON object text (as BigQuery githubarchive `other`), each `"key":value` exactly as it stood; NULL when none',
    ),
    col(
      'actor',
      'JSON',
      true,
      '`actor` object as JSON text exactly as it stood (keeps display_login, url, avatar_url, gravatar_id: bronze is lossless); NULL when absent',
    ),
    col('repo', 'JSON', true, '`repo` object as JSON text exactly as it stood; NULL when absent'),
    col('org', 'JSON', true, '`org` object as JSON text exactly as it stood; NULL when absent'),
    col(
      'event_hash',
      'VARCHAR',
      false,
      "hex SHA-256 of the event object's exact bytes in the line, from its `{` to its `}` (NUL bytes removed, see docs/transform.md); lakes written before the byte reader (issue 17) hold MD5",
      { distinctValues: true },
    ),
    col('source_file', 'VARCHAR', false, 'archive file name, e.g. 2015-01-01-15.json.gz'),
    col('source_line', 'BIGINT', false, '1-based line number in the decompressed file'),
    col('fragment', 'INTEGER', false, '0 for a line holding one object; n for the n-th object of a line that held several (`}{`) or followed a cut event'),
    col(
      'era',
      'VARCHAR',
      true,
      "the line's layout: `events_api` (2011 to mid-2012 and 2015 on) or `timeline` (pre-2015 Timeline API: `actor` a login, `repository`, no id); NULL in lakes written before issue 14",
    ),
    col('ingested_at', 'TIMESTAMP', false, 'when the row was written, UTC'),
  ],
} as const satisfies TableDecl;
