import { col, type TableDecl } from './types.js';

/**
 * silver.payload_details — grain: one row per distinct event (same rows as silver.events).
 * Key: (event_id, event_type, created_at). `created_at` is added to the seed's columns so the
 * key is complete (event ids alone are not unique since October 2025).
 */
export const silverPayloadDetails = {
  layer: 'silver',
  name: 'payload_details',
  grain: 'one row per distinct event',
  key: ['event_id', 'event_type', 'created_at'],
  partitioning: 'hour',
  columns: [
    col('event_id', 'BIGINT', false, 'event id'),
    col('event_type', 'VARCHAR', false, 'event type'),
    col('payload_action', 'VARCHAR', true, '`payload.action` wherever present'),
    col(
      'payload_issue_id',
      'BIGINT',
      true,
      '`payload.issue.id` wherever present, whatever the event type (integers only, never coerced); in pre-2015 payloads `payload.issue` when it is the id itself (an integer), else `payload.issue_id`',
    ),
    col('payload_pull_request_id', 'BIGINT', true, '`payload.pull_request.id` wherever present, whatever the event type'),
    col('payload_comment_id', 'BIGINT', true, '`payload.comment.id` wherever present, whatever the event type; in pre-2015 payloads else `payload.comment_id`'),
    col(
      'payload_push_size',
      'BIGINT',
      true,
      '`payload.size` of PushEvents (Timeline included); NULL after the October 2025 trimming, and NULL for 2011 pushes without `size` (never counted from `shas`, as GH Archive did not)',
    ),
    col('payload_ref', 'VARCHAR', true, '`payload.ref` wherever present'),
    col('payload_ref_type', 'VARCHAR', true, '`payload.ref_type` wherever present'),
    col('payload_head', 'VARCHAR', true, '`payload.head` wherever present'),
    col('payload_before', 'VARCHAR', true, '`payload.before` wherever present'),
    col('payload_size', 'BIGINT', true, "length in bytes of the payload's JSON text as it stood in the line"),
    col(
      'payload_distinct_size',
      'BIGINT',
      true,
      '`payload.distinct_size` of PushEvents; NULL after the October 2025 trimming and before 2015 (no such member)',
    ),
    col(
      'payload_pull_request_merged',
      'BOOLEAN',
      true,
      '`payload.pull_request.merged` wherever present (true or false only, never coerced); NULL when absent, as in the payloads trimmed since October 2025',
    ),
    col('created_at', 'TIMESTAMP', false, 'event created_at (completes the key)'),
  ],
} as const satisfies TableDecl;
