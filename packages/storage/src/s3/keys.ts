/**
 * Object keys. Everything mirrors the lake below the prefix, except gold, which is published
 * as immutable versions plus one pointer object (see gold-publish.ts):
 *
 *   <prefix>/raw/date=2015-01-01/2015-01-01-15.json.gz
 *   <prefix>/silver/events/date=2015-01-01/hour=15/part-0.parquet
 *   <prefix>/gold/_v/<version>/actor_metrics/part-0.parquet
 *   <prefix>/gold/_current.json      -> {"version": "<version>", ...}
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

/** Where gold versions live, relative to the prefix. */
export const GOLD_VERSIONS_DIR = 'gold/_v';
/** The pointer naming the current gold version, relative to the prefix. */
export const GOLD_POINTER = 'gold/_current.json';

export function goldPointerKey(prefix: string): string {
  return objectKey(prefix, GOLD_POINTER);
}

/** Key prefix (ending in `/`) of one gold version: `<prefix>/gold/_v/<version>/`. */
export function goldVersionPrefix(prefix: string, version: string): string {
  return `${objectKey(prefix, `${GOLD_VERSIONS_DIR}/${version}`)}/`;
}

/** Key of a gold file (`relInGold` like `actor_metrics/part-0.parquet`) inside a version. */
export function goldVersionKey(prefix: string, version: string, relInGold: string): string {
  return goldVersionPrefix(prefix, version) + relInGold.split('\\').join('/');
}

/** `s3://bucket/key` for messages. */
export function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/**
 * Where a lake file (`rel` below the lake, POSIX) is published below the prefix: the same path,
 * except gold, which lives inside its version (`gold/_v/<version>/<table>/...`). Loaders that
 * read the lake folder to know what exists (Snowflake COPY) map paths with this.
 */
export function publishedRel(rel: string, goldVersion: string | undefined): string {
  const posix = rel.split('\\').join('/');
  if (!posix.startsWith('gold/')) return posix;
  if (goldVersion === undefined) throw new Error(`a gold version is needed to place ${posix}`);
  return `${GOLD_VERSIONS_DIR}/${goldVersion}/${posix.slice('gold/'.length)}`;
}
