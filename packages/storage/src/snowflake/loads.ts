/**
 * GHLAKE_LOADS, the record of what was loaded: one row per lake file, written in the same
 * transaction as the rows themselves. Reading it back and comparing it with the lake tells
 * which hours are new, which were rewritten in the lake since (size or modification time
 * changed, or a different set of files) and which are loaded and unchanged.
 */
import { parseHour, timestampText, type HourKey } from '@ghlake/core';
import type { SnowflakeObjects } from './options.js';
import type { LakeTableFile } from './lake-inventory.js';
import { LOADS_COLUMNS } from './ddl.js';
import { columnRef, loadsTableRef } from './objects.js';
import { statement, type SqlRow, type SqlStatement } from './statement.js';

export interface LoadedFile {
  /** `silver.events` */
  table: string;
  hour: HourKey | null;
  path: string;
  bytes: number;
  mtimeMs: number;
  rows: number;
  loadedAt: string;
}

export function readLoadsStatement(objects: SnowflakeObjects): SqlStatement {
  return statement(
    'read GHLAKE_LOADS (what is loaded)',
    [
      `SELECT "TABLE_NAME", TO_VARCHAR("PARTITION_HOUR", 'YYYY-MM-DD HH24:MI:SS') AS "PARTITION_HOUR", "FILE_PATH", "FILE_BYTES",`,
      `  DATE_PART(EPOCH_MILLISECOND, "FILE_MTIME") AS "FILE_MTIME_MS", "ROWS_LOADED", TO_VARCHAR("LOADED_AT", 'YYYY-MM-DD HH24:MI:SS.FF3') AS "LOADED_AT"`,
      `FROM ${loadsTableRef(objects)}`,
      `ORDER BY "TABLE_NAME", "PARTITION_HOUR", "FILE_PATH"`,
    ].join('\n'),
  );
}

function num(value: unknown): number {
  return typeof value === 'bigint' ? Number(value) : Number(value ?? 0);
}

export function parseLoadsRows(rows: readonly SqlRow[]): LoadedFile[] {
  return rows.map((r) => {
    const hourText = r.PARTITION_HOUR;
    return {
      table: String(r.TABLE_NAME),
      hour: hourText === null || hourText === undefined || hourText === '' ? null : parseHour(String(hourText).replace(' ', 'T')),
      path: String(r.FILE_PATH),
      bytes: num(r.FILE_BYTES),
      mtimeMs: num(r.FILE_MTIME_MS),
      rows: num(r.ROWS_LOADED),
      loadedAt: String(r.LOADED_AT ?? ''),
    };
  });
}

/** The JSON document bound into the INSERT: one object per file, keys as the INSERT reads them. */
export function loadsRecordJson(files: readonly LakeTableFile[], table: string): string {
  return JSON.stringify(
    files.map((f) => ({
      table_name: table,
      partition_hour: f.hour === null ? null : timestampText(f.hour),
      file_path: f.stagePath,
      file_bytes: f.bytes,
      file_mtime_ms: f.mtimeMs,
      rows: f.rows,
    })),
  );
}

export function insertLoadsStatement(objects: SnowflakeObjects, purpose: string, files: readonly LakeTableFile[], table: string): SqlStatement {
  const columns = LOADS_COLUMNS.map((c) => columnRef(c.name)).join(', ');
  return statement(
    purpose,
    [
      `INSERT INTO ${loadsTableRef(objects)} (${columns})`,
      `SELECT f.value:table_name::VARCHAR, TO_TIMESTAMP_NTZ(f.value:partition_hour::VARCHAR), f.value:file_path::VARCHAR, f.value:file_bytes::NUMBER(38,0),`,
      `  TO_TIMESTAMP_NTZ(f.value:file_mtime_ms::NUMBER(38,0), 3), f.value:rows::NUMBER(38,0), SYSDATE()`,
      `FROM TABLE(FLATTEN(INPUT => PARSE_JSON(?))) f`,
    ].join('\n'),
    [loadsRecordJson(files, table)],
  );
}
