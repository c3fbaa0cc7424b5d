/**
 * A statement ghlake sends to Snowflake: its SQL, its bind values, and its purpose — the words
 * an error names ("load silver.events 2015-01-01-15 failed: ...") and a dry run prints.
 */

/** What the driver can bind: `?` placeholders in order. */
export type SqlBind = string | number | boolean | null;

export interface SqlStatement {
  purpose: string;
  sql: string;
  binds?: SqlBind[];
}

export type SqlRow = Record<string, unknown>;

/** Runs statements: the real Snowflake session, or anything with the same contract. */
export interface SqlExecutor {
  run(statement: SqlStatement): Promise<SqlRow[]>;
}

export function statement(purpose: string, sql: string, binds?: SqlBind[]): SqlStatement {
  return binds === undefined || binds.length === 0 ? { purpose, sql } : { purpose, sql, binds };
}

/**
 * A runnable script of the statements, for `--dry-run` and the golden files: each statement
 * preceded by its purpose and, when it has binds, by their values (a dry run shows what would be
 * bound; the SQL itself keeps its `?` placeholders).
 */
export function formatScript(title: string, statements: readonly SqlStatement[], notes: readonly string[] = []): string {
  const out: string[] = [`-- ${title}`];
  for (const note of notes) out.push(...note.split('\n').map((line) => (line === '' ? '--' : `-- ${line}`)));
  statements.forEach((s, i) => {
    out.push('', `-- ${i + 1}. ${s.purpose}`);
    if (s.binds && s.binds.length > 0) out.push(`-- binds: ${JSON.stringify(s.binds)}`);
    out.push(`${s.sql};`);
  });
  return `${out.join('\n')}\n`;
}
