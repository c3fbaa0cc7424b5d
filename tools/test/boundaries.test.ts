/**
 * Module boundaries are Nx's `@nx/enforce-module-boundaries` rule in eslint.config.mjs, driven by
 * the tags in each package.json's `nx` section (scope:core, scope:stage, scope:app, scope:tools,
 * and type:* for the two stage-to-stage imports allowed). These tests lint probe files placed in
 * a package's src/ (text only, nothing written) with the repository's own ESLint config, so a
 * deliberate cross-stage import must fail there exactly as it fails `npm run lint`.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const NX = path.join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');

let eslint: ESLint;

beforeAll(async () => {
  // The rule reads Nx's cached project graph (and is skipped without one): compute it, as `npm run lint` does.
  await promisify(execFile)(process.execPath, [NX, 'show', 'projects'], { cwd: root, env: { ...process.env, NX_DAEMON: 'false' } });
  // The repository's config; type information off, since the probe files exist only as text.
  eslint = new ESLint({ cwd: root, overrideConfig: [tseslint.configs.disableTypeChecked] });
});

/** Boundary messages ESLint reports for `source` as if it were packages/<pkg>/src/probe.ts. */
async function boundaryErrors(pkg: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, 'packages', pkg, 'src', 'boundary-probe.ts') });
  return result!.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries' || m.fatal).map((m) => m.message);
}

describe('package boundaries (@nx/enforce-module-boundaries)', () => {
  it('a stage importing another stage fails: download may not import bronze', async () => {
    expect(await boundaryErrors('download', "import { bronzeHours } from '@ghlake/bronze';\nexport const x = bronzeHours;\n")).toEqual([
      'A project tagged with "type:download" can only depend on libs tagged with "scope:core"',
    ]);
  });

  // Every package depends on core and pipeline on every stage, so these imports close a cycle,
  // which the rule reports before the tags.
  it('core imports no other package', async () => {
    expect(await boundaryErrors('core', "import { goldCommand } from '@ghlake/gold';\nexport const x = goldCommand;\n")).toEqual([
      expect.stringMatching(/^Circular dependency between "core" and "gold" detected: core -> gold -> core/),
    ]);
  });

  it('only the app assembles stages: a stage may not import pipeline', async () => {
    expect(await boundaryErrors('storage', "import { main } from '@ghlake/pipeline';\nexport const x = main;\n")).toEqual([
      expect.stringMatching(/^Circular dependency between "storage" and "pipeline" detected/),
    ]);
  });

  it('tools may import core only', async () => {
    const [result] = await eslint.lintText("import { runCommand } from '@ghlake/pipeline';\nexport const x = runCommand;\n", {
      filePath: path.join(root, 'tools', 'mirror', 'boundary-probe.ts'),
    });
    expect(result!.messages.map((m) => m.message)).toEqual(['A project tagged with "scope:tools" can only depend on libs tagged with "scope:core"']);
  });

  it('the two stage-to-stage imports the tags allow pass: silver reads bronze, the report reads gold', async () => {
    expect(await boundaryErrors('silver', "import { bronzeHours } from '@ghlake/bronze';\nexport const x = bronzeHours;\n")).toEqual([]);
    expect(await boundaryErrors('report', "import { goldCommand } from '@ghlake/gold';\nexport const x = goldCommand;\n")).toEqual([]);
    expect(await boundaryErrors('report', "import { silverCommand } from '@ghlake/silver';\nexport const x = silverCommand;\n")).toEqual([
      'A project tagged with "type:report" can only depend on libs tagged with "scope:core", "type:gold"',
    ]);
  });

  it('pipeline may import every stage and core', async () => {
    const imports = ['core', 'download', 'bronze', 'silver', 'gold', 'storage', 'report'].map((p, i) => `import * as p${i} from '@ghlake/${p}';`);
    expect(await boundaryErrors('pipeline', `${imports.join('\n')}\nexport const x = [p0, p1, p2, p3, p4, p5, p6];\n`)).toEqual([]);
  });
});
