/**
 * Object keys: the lake mirrored below the prefix — every layer, gold included (gold's keyed files
 * are immutable, so one copy of each serves every version that lists it) — plus the gold pointer:
 *
 *   <prefix>/raw/date=2015-01-01/2015-01-01-15.json.gz
 *   <prefix>/silver/events/date=2015-01-01/hour=15/part-0.parquet
 *   <prefix>/silver/actors/part-0000000012-full.parquet          keyed tables (core's keyed-files.ts)
 *   <prefix>/gold/actor_metrics/part-0000000040.parquet
 *   <prefix>/gold/_current.json      -> {"version": "0000000040", "tables": {...}}
 */

/** `prefix/rel` with `rel` in POSIX form; an empty prefix is the bucket root. */
export function objectKey(prefix: string, rel: string): string {
  const posix = rel.split('\\').join('/');
  return prefix === '' ? posix : `${prefix}/${posix}`;
}

/** Listing prefix of everything below `prefix` (`''` lists the whole bucket). */
export function keyPrefix(prefix: string): string {
  return prefix === '' ? '' : `${prefix}/`;
}

/** The pointer naming the current gold version and its files, relative to the prefix. */
export const GOLD_POINTER = 'gold/_current.json';

/** Where ghlake before the keyed gold tables kept whole gold versions (removed by a full upload). */
export const LEGACY_GOLD_VERSIONS_DIR = 'gold/_v';

export function goldPointerKey(prefix: string): string {
  return objectKey(prefix, GOLD_POINTER);
}

/** `s3://bucket/key` for messages. */
export function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
