/**
 * An hour's partitions become visible together: every table file is first written complete
 * under a temporary sibling name (`.tmp-*`, which no reader globs and `removeTempFiles`
 * cleans), and only when all of them are complete are they renamed into place, one rename
 * each, back to back. A crash before the renames leaves only temporary files; the previous
 * version of the hour (if any) stays whole.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fsyncDir, fsyncFile, openTableWriter, tempPathFor, type TableDecl, type TableFileWriter, type TableWriterOptions } from '@ghlake/core';

export interface StagedFile {
  /** Where the file will be once committed. */
  path: string;
  /** Where it is now. */
  stagedPath: string;
  table: string;
  rows: number;
  bytes: number;
}

export class StagedFiles {
  private readonly files: StagedFile[] = [];
  private readonly open = new Set<TableFileWriter>();

  /** A streaming table writer whose file is staged (not visible) when closed. */
  async openTable(table: TableDecl, target: string, options: TableWriterOptions): Promise<{ writer: TableFileWriter; close: () => Promise<StagedFile> }> {
    const stagedPath = tempPathFor(target);
    const writer = await openTableWriter(table, stagedPath, { ...options, staged: true });
    this.open.add(writer);
    return {
      writer,
      close: async () => {
        this.open.delete(writer);
        const written = await writer.close();
        const file: StagedFile = { path: target, stagedPath, table: `${table.layer}.${table.name}`, rows: written.rows, bytes: written.bytes };
        this.files.push(file);
        return file;
      },
    };
  }

  /**
   * Stage a small JSON document (accounting). Written under its staged name directly and fsynced,
   * like the table files: commit() renames it once, with the rest.
   */
  async stageJson(target: string, value: unknown, table: string): Promise<StagedFile> {
    const stagedPath = tempPathFor(target);
    const text = `${JSON.stringify(value, null, 2)}\n`;
    try {
      await fs.mkdir(path.dirname(stagedPath), { recursive: true });
      await fs.writeFile(stagedPath, text);
      await fsyncFile(stagedPath);
    } catch (error) {
      await fs.rm(stagedPath, { force: true });
      throw error;
    }
    const file: StagedFile = { path: target, stagedPath, table, rows: 0, bytes: Buffer.byteLength(text) };
    this.files.push(file);
    return file;
  }

  /** Rename every staged file into place; returns them. */
  async commit(): Promise<StagedFile[]> {
    if (this.open.size > 0) throw new Error('commit with table writers still open');
    for (const f of this.files) await fs.rename(f.stagedPath, f.path);
    const dirs = new Set(this.files.map((f) => path.dirname(f.path)));
    for (const dir of dirs) await fsyncDir(dir);
    return this.files;
  }

  /** Drop every staged or half-written file. */
  async abort(): Promise<void> {
    for (const w of this.open) await w.abort().catch(() => undefined);
    this.open.clear();
    for (const f of this.files) await fs.rm(f.stagedPath, { force: true });
    this.files.length = 0;
  }
}
