/**
 * A secret never reaches a file, a log or another process's output. A Snowflake password and
 * AWS secrets are given as flags AND as environment values to the real program, across a run
 * that is killed, a second run that meets its lock, `status` while it runs, and the run that
 * takes the dead run's lock over: none of them appears in any byte under the lake, on stdout,
 * on stderr or in `status --json`. The lock and the manifest are owner-only (0600), and each
 * secret given as a flag gets one warning that names its variable.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockPath, manifestDir, redactArgv, secretOptions } from '@ghlake/core';
import { RUN_OPTIONS } from '../src/run-options.js';
import { startMirror, type Mirror } from '../../../tools/mirror/server.js';
import { runGhlake, spawnGhlake } from './helpers/ghlake-process.js';
import { runArgs } from './helpers/reliability.js';
import { writeSlicedHours } from './helpers/sliced-hours.js';

const FLAG_SECRETS = { password: 'PW-flag-7f3a9c', aws: 'AWS-flag-2b8e1d', token: 'TOK-flag-91c2e0' };
const ENV_SECRETS = {
  SNOWFLAKE_PASSWORD: 'PW-env-5d1e77',
  SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: 'PP-env-3c9a01',
  AWS_SECRET_ACCESS_KEY: 'AWS-env-8a4f62',
  AWS_SESSION_TOKEN: 'TOK-env-0b7d13',
};
const ALL_SECRETS = [...Object.values(FLAG_SECRETS), ...Object.values(ENV_SECRETS)];
const SECRET_FLAGS = [
  '--password',
  FLAG_SECRETS.password,
  `--secret-access-key=${FLAG_SECRETS.aws}`,
  '--access-key-id',
  'AKIDEXAMPLE',
  '--session-token',
  FLAG_SECRETS.token,
];

let work: string;
let mirror: Mirror;
beforeAll(async () => {
  work = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-secrets-'));
  await writeSlicedHours(path.join(work, 'mirror'));
  mirror = await startMirror({ root: path.join(work, 'mirror') });
});
afterAll(async () => {
  await mirror?.close();
  await fs.rm(work, { recursive: true, force: true });
});

/** Every file under `dir` whose bytes contain one of `secrets` (relative path → the secrets found). */
async function filesHolding(dir: string, secrets: string[]): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for (const rel of await fs.readdir(dir, { recursive: true })) {
    const full = path.join(dir, rel);
    const stat = await fs.lstat(full);
    if (!stat.isFile()) continue;
    const bytes = await fs.readFile(full);
    const hits = secrets.filter((s) => bytes.includes(Buffer.from(s)));
    if (hits.length) found[rel] = hits;
  }
  return found;
}

const leaks = (text: string) => ALL_SECRETS.filter((s) => text.includes(s));

describe('secrets given as flags and as environment values', () => {
  it('the secret options are the ones marked in the declarations, and a command line is shown with their values as ***', () => {
    // RUN_OPTIONS composes the Snowflake and S3 declarations: their marks make the list.
    expect(RUN_OPTIONS.password.secret).toBe(true);
    expect(
      secretOptions()
        .map((s) => s.flag)
        .sort(),
    ).toEqual(['password', 'private-key-passphrase', 'secret-access-key', 'session-token']);
    expect(redactArgv(['--lake', 'L', '--password', 'x', '--private-key-passphrase=y', '--session-token', 'z', '--access-key-id', 'AKID'])).toEqual([
      '--lake',
      'L',
      '--password',
      '***',
      '--private-key-passphrase=***',
      '--session-token',
      '***',
      '--access-key-id',
      'AKID',
    ]);
  });

  it('never appear in the lake, stdout, stderr or status --json: a killed run, a lock conflict, status meanwhile, the takeover', async () => {
    const lake = path.join(work, 'lake');
    const env = { ...ENV_SECRETS, AWS_ACCESS_KEY_ID: 'AKIDENV' };
    const outputs: string[] = [];

    // 1. A run slowed down by the mirror, killed once it holds the lock and has downloaded an hour.
    mirror.setFaults({ '*': { bytesPerSecond: 20_000 } });
    const killed = spawnGhlake(runArgs(mirror, lake, ['--concurrency', '1', ...SECRET_FLAGS]), { env });
    await killed.waitForLog((l) => l.msg === 'hour downloaded', 'the first hour downloaded');
    const lockMode = (await fs.stat(lockPath(lake))).mode & 0o777;
    const lockText = await fs.readFile(lockPath(lake), 'utf8');
    expect(lockText).toContain('--password *** --secret-access-key=*** --access-key-id AKIDEXAMPLE --session-token ***');

    // 2. status while it runs, and a second run that meets the lock.
    const status = await runGhlake(['status', '--lake', lake, '--json'], { env });
    outputs.push(status.stdout, status.stderr);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).lock.command).toContain('--password ***');
    const statusText = await runGhlake(['status', '--lake', lake], { env });
    outputs.push(statusText.stdout, statusText.stderr);
    expect(statusText.stdout).toMatch(/^lock {8}held by pid \d+ .*--password \*\*\*/m);
    const conflict = await runGhlake(runArgs(mirror, lake, SECRET_FLAGS), { env });
    outputs.push(conflict.stdout, conflict.stderr);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/error GHLAKE_LAKE_LOCKED: the lake is locked by another ghlake run \(pid \d+ .*--password \*\*\*/);

    killed.child.kill('SIGKILL');
    expect((await killed.exited).signal).toBe('SIGKILL');
    outputs.push(killed.stdout(), killed.stderr());

    // 3. The next run takes the dead run's lock over, naming it (redacted).
    mirror.setFaults({});
    const takeover = await runGhlake(runArgs(mirror, lake, SECRET_FLAGS), { env });
    outputs.push(takeover.stdout, takeover.stderr);
    expect(takeover.code, takeover.stderr).toBe(0);
    expect(takeover.logs.find((l) => l.msg.startsWith('took over a stale lake lock'))?.holder).toMatch(/--password \*\*\* --secret-access-key=\*\*\*/);
    const after = await runGhlake(['status', '--lake', lake, '--json'], { env });
    outputs.push(after.stdout, after.stderr);

    // Each secret flag is warned about once per command, naming the variable to use instead.
    for (const [flag, variable] of [
      ['password', 'SNOWFLAKE_PASSWORD'],
      ['secret-access-key', 'AWS_SECRET_ACCESS_KEY'],
      ['session-token', 'AWS_SESSION_TOKEN'],
    ])
      expect(takeover.stderr.split('\n')).toContain(
        `warning: --${flag} is visible to other users of this machine (process list, shell history); set ${variable} instead`,
      );
    expect(takeover.stderr).not.toContain('warning: --access-key-id');
    expect(status.stderr).toBe('');

    expect(outputs.flatMap(leaks)).toEqual([]);
    expect(leaks(lockText)).toEqual([]);
    expect(await filesHolding(lake, ALL_SECRETS)).toEqual({});
    expect(lockMode).toBe(0o600);
    for (const name of await fs.readdir(manifestDir(lake))) expect((await fs.stat(path.join(manifestDir(lake), name))).mode & 0o777, name).toBe(0o600);
    expect((await fs.stat(path.join(lake, '_state', 'heads.json'))).mode & 0o777).toBe(0o600);
  });

  it('an invalid secret value is not echoed in the error', async () => {
    const run = await runGhlake([
      'snowflake',
      'status',
      '--private-key-path',
      '/nonexistent.pem',
      '--private-key-passphrase',
      'PP-flag-bad',
      '--password',
      'PW-flag-bad',
      '--lake',
      work,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain('PP-flag-bad');
    expect(run.stderr).not.toContain('PW-flag-bad');
  });
});
