/**
 * What a statement handler of the stub answers, and builders for the answers Snowflake gives:
 * a result set in the JSON rowset format (`rowtype` + `rowset` of strings), the one-row
 * `status` result of DDL, and SQL errors with Snowflake's error code and SQLSTATE.
 */

/** Column types as Snowflake names them in `rowtype[].type`. */
export type StubColumnType = 'text' | 'fixed' | 'real' | 'boolean' | 'timestamp_ntz' | 'date';

export interface StubColumn {
  name: string;
  type: StubColumnType;
}

export type StubReply = { kind: 'rows'; columns: StubColumn[]; rows: unknown[][] } | { kind: 'error'; code: string; sqlState: string; message: string };

/** A result set; values are turned into the strings Snowflake sends (numbers as decimal text, booleans as "1"/"0", NULL as null). */
export function resultSet(columns: StubColumn[], rows: unknown[][]): StubReply {
  return { kind: 'rows', columns, rows };
}

/** What DDL and transaction control answer: one `status` row. */
export function statusReply(message = 'Statement executed successfully.'): StubReply {
  return resultSet([{ name: 'status', type: 'text' }], [[message]]);
}

/** A SQL error as Snowflake reports it, e.g. `sqlError('002003', '42S02', "SQL compilation error:\nObject 'X' does not exist or not authorized.")`. */
export function sqlError(code: string, sqlState: string, message: string): StubReply {
  return { kind: 'error', code, sqlState, message };
}

/** The rows COPY INTO answers: one per file, with Snowflake's column names. */
export function copyResult(files: Array<{ file: string; rowsLoaded: number; status?: string }>): StubReply {
  if (files.length === 0) return statusReply('Copy executed with 0 files processed.');
  return resultSet(
    [
      { name: 'file', type: 'text' },
      { name: 'status', type: 'text' },
      { name: 'rows_parsed', type: 'fixed' },
      { name: 'rows_loaded', type: 'fixed' },
      { name: 'error_limit', type: 'fixed' },
      { name: 'errors_seen', type: 'fixed' },
      { name: 'first_error', type: 'text' },
      { name: 'first_error_line', type: 'fixed' },
      { name: 'first_error_character', type: 'fixed' },
      { name: 'first_error_column_name', type: 'text' },
    ],
    files.map((f) => [f.file, f.status ?? 'LOADED', f.rowsLoaded, f.rowsLoaded, 1, 0, null, null, null, null]),
  );
}

function encodeValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'bigint' || typeof value === 'number') return String(value);
  return String(value);
}

/** The `data` object of a successful query-request response. */
export function rowsetData(reply: Extract<StubReply, { kind: 'rows' }>, extra: Record<string, unknown>): Record<string, unknown> {
  const rowset = reply.rows.map((row) => row.map(encodeValue));
  return {
    parameters: [],
    rowtype: reply.columns.map((c) => ({
      name: c.name,
      database: '',
      schema: '',
      table: '',
      type: c.type,
      nullable: true,
      byteLength: c.type === 'text' ? 16_777_216 : null,
      length: c.type === 'text' ? 16_777_216 : null,
      precision: c.type === 'fixed' ? 38 : null,
      scale: c.type === 'fixed' ? 0 : c.type === 'timestamp_ntz' ? 9 : null,
      collation: null,
    })),
    rowset,
    total: rowset.length,
    returned: rowset.length,
    queryResultFormat: 'json',
    version: 1,
    ...extra,
  };
}
