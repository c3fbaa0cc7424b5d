import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GhlakeError, LAKE_FORMAT, ensureLakeFormat, readLakeFormat } from '../src/index.js';

let lake: string;
beforeEach(async () => {
  lake = await fs.mkdtemp(path.join(os.tmpdir(), 'ghlake-format-'));
});
afterEach(() => fs.rm(lake, { recursive: true, force: true }));

const record = (format: number) =>
  fs
    .mkdir(path.join(lake, '_state'), { recursive: true })
    .then(() => fs.writeFile(path.join(lake, '_state', 'format.json'), JSON.stringify({ format, since: 'x' })));

async function refusal(): Promise<GhlakeError> {
  const error = await ensureLakeFormat(lake).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GhlakeError);
  return error as GhlakeError;
}

describe('lake format', () => {
  it("is 4: Timeline logins resolved across hours gave silver's state login_ids and login_uses", () => {
    expect(LAKE_FORMAT).toBe(4);
  });

  it('records the format in a new lake and accepts it afterwards', async () => {
    await ensureLakeFormat(lake);
    expect(await readLakeFormat(lake)).toBe(LAKE_FORMAT);
    await ensureLakeFormat(lake);
  });

  it('refuses a format-3 lake naming what changed since, and how to rebuild it from raw', async () => {
    await record(3);
    const error = await refusal();
    expect(error.code).toBe('GHLAKE_LAKE_FORMAT');
    expect(error.message).toContain('lake format 3');
    expect(error.message).toContain('login_ids');
    expect(error.message).not.toContain('actor_id_source and org_id_source, event ids');
    expect(error.hint).toContain('ghlake run --force');
  });

  it('refuses a format-2 lake naming both changes since', async () => {
    await record(2);
    const error = await refusal();
    expect(error.message).toContain('lake format 2');
    expect(error.message).toContain('actor_id_source');
    expect(error.message).toContain('login_ids');
    expect(error.message).not.toContain('SHA-256');
  });

  it('refuses a lake of format 1 (tables, no record) naming every change since', async () => {
    await fs.mkdir(path.join(lake, 'silver'));
    const error = await refusal();
    expect(error.message).toContain('lake format 1');
    expect(error.message).toContain('SHA-256');
    expect(error.message).toContain('actor_id_source');
    expect(error.message).toContain('login_ids');
  });

  it('refuses a lake of a newer format', async () => {
    await record(LAKE_FORMAT + 1);
    expect((await refusal()).message).toContain('newer ghlake');
  });
});
