/** `ghlake query --format json "<sql>"` through the real command, its stdout parsed. */
import { Writable } from 'node:stream';
import { queryCommand } from '@ghlake/gold';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

export async function ghlakeQuery(lake: string, sql: string): Promise<Record<string, unknown>[]> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await queryCommand.run({
    argv: ['--lake', lake, '--format', 'json', '--threads', '2', '--memory-limit', '512MB', sql],
    env: {},
    stdout,
    stderr,
    signal: new AbortController().signal,
    cwd: process.cwd(),
  });
  if (code !== 0) throw new Error(`ghlake query exited ${code}: ${stderr.text}`);
  return JSON.parse(stdout.text) as Record<string, unknown>[];
}
