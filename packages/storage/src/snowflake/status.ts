/**
 * `ghlake snowflake status`: what GHLAKE_LOADS says is loaded, next to what the lake has — per
 * table, partitions loaded, new, changed since loading, and loaded but no longer in the lake; rows
 * in the lake and rows loaded; and what the next load does. Hourly tables count hours. Keyed tables
 * (entities, gold) count their live files — the full file and the deltas after it — and say whether
 * the next load merges new deltas, replaces the table (a new full file) or has nothing to do;
 * their "not in lake" files are ones a newer full file superseded (replaced with the table).
 */
import { compareHours, formatCount, type HourKey } from '@ghlake/core';
import type { LakeTableFile } from './lake-inventory.js';
import { planLoad } from './load-plan.js';
import type { LoadedFile } from './loads.js';
import type { SnowflakeObjects } from './options.js';
import { SNOWFLAKE_TABLES, tableKey } from './objects.js';

export interface TableStatus {
  table: string;
  /** hour: partitions are source hours; keyed: partitions are the table's live files. */
  kind: 'hour' | 'keyed';
  /** What the next load does: `load N hours`, `merge N files`, `replace`, or `-` (nothing). */
  next: string;
  /** Partitions in the lake. */
  lake: number;
  /** Partitions recorded in GHLAKE_LOADS. */
  loaded: number;
  /** In the lake, never loaded. */
  new: number;
  /** Loaded, but the lake's files changed since. */
  changed: number;
  /** Loaded, unchanged. */
  upToDate: number;
  /** Loaded, no longer in the lake (ghlake never deletes loaded rows by itself). */
  notInLake: number;
  lakeRows: number;
  rowsLoaded: number;
  firstLoadedHour: HourKey | null;
  lastLoadedHour: HourKey | null;
  lastLoadedAt: string | null;
}

export function compareLakeWithLoads(objects: SnowflakeObjects, lake: readonly LakeTableFile[], loaded: readonly LoadedFile[]): TableStatus[] {
  const plan = planLoad(objects, lake, loaded);
  return SNOWFLAKE_TABLES.map((table) => {
    const key = tableKey(table);
    const summary = plan.tables.find((t) => t.table === key)!;
    const lakeFiles = lake.filter((f) => tableKey(f.table) === key);
    const loadedFiles = loaded.filter((l) => l.table === key);
    const keyed = table.partitioning !== 'hour';
    // A keyed table's partitions are its files; an hourly table's, its hours.
    const lakeParts = new Set(lakeFiles.map((f) => (keyed ? f.stagePath : f.hour!)));
    const loadedParts = new Set(loadedFiles.map((l) => (keyed ? l.path : (l.hour ?? '*'))));
    const units = plan.units.filter((u) => tableKey(u.table) === key);
    const next = keyed
      ? summary.keyed === 'merge'
        ? `merge ${units[0]?.files.length ?? 0} files`
        : summary.keyed === 'replace'
          ? 'replace'
          : '-'
      : units.length
        ? `load ${units.reduce((n, u) => n + u.hours.length, 0)} hours`
        : '-';
    const hours = [...new Set(loadedFiles.map((l) => l.hour).filter((h): h is HourKey => h !== null))].sort(compareHours);
    const lastLoadedAt = loadedFiles.reduce<string | null>((max, l) => (max === null || l.loadedAt > max ? l.loadedAt : max), null);
    return {
      table: key,
      kind: keyed ? 'keyed' : 'hour',
      next,
      lake: lakeParts.size,
      loaded: loadedParts.size,
      new: summary.newPartitions,
      changed: summary.changedPartitions,
      upToDate: summary.upToDatePartitions,
      notInLake: [...loadedParts].filter((p) => !lakeParts.has(p)).length,
      lakeRows: lakeFiles.reduce((n, f) => n + f.rows, 0),
      rowsLoaded: loadedFiles.reduce((n, l) => n + l.rows, 0),
      firstLoadedHour: hours[0] ?? null,
      lastLoadedHour: hours[hours.length - 1] ?? null,
      lastLoadedAt,
    };
  });
}

/** A plain-text table of the status, one line per table. */
export function formatSnowflakeStatus(rows: readonly TableStatus[]): string {
  const header = ['table', 'lake', 'loaded', 'new', 'changed', 'not in lake', 'lake rows', 'rows loaded', 'next load', 'loaded hours', 'last load (UTC)'];
  const body = rows.map((r) => [
    r.table,
    String(r.lake),
    String(r.loaded),
    String(r.new),
    String(r.changed),
    String(r.notInLake),
    formatCount(r.lakeRows),
    formatCount(r.rowsLoaded),
    r.next,
    r.firstLoadedHour ? (r.firstLoadedHour === r.lastLoadedHour ? r.firstLoadedHour : `${r.firstLoadedHour}..${r.lastLoadedHour}`) : '-',
    r.lastLoadedAt ?? '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const numeric = new Set([1, 2, 3, 4, 5, 6, 7]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    ...body.map(line),
    '',
    'lake/loaded/new/changed count hours for silver.events and payload_details, and live files (the full file and the',
    'deltas after it) for the keyed tables, whose "not in lake" files were superseded by a newer full file; lake rows',
    'of a keyed table are the rows of its live files (a key can be in more than one).',
  ].join('\n');
}
