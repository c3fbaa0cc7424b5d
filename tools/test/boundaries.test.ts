/**
 * Module boundaries (what Nx's enforce-module-boundaries would check, without a linter):
 * a stage may import only core (silver may also read bronze's parser); only pipeline
 * assembles stages. Every workspace import must also be a declared dependency, so
 * `nx affected` computes the right set.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const ALLOWED: Record<string, string[]> = {
  core: [],
  download: ['core'],
  bronze: ['core'],
  silver: ['core', 'bronze'],
  gold: ['core'],
  storage: ['core'],
  // the report reads the warehouse through gold's query path (the same as `ghlake query`)
  report: ['core', 'gold'],
  pipeline: ['core', 'download', 'bronze', 'silver', 'gold', 'storage', 'report'],
};

function sourceFiles(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out = out.concat(sourceFiles(full));
    else if (/\.(ts|mts|mjs)$/.test(name)) out.push(full);
  }
  return out;
}

describe('package boundaries', () => {
  for (const [pkg, allowed] of Object.entries(ALLOWED)) {
    it(`${pkg} imports only ${allowed.length ? allowed.join(', ') : 'no other workspace package'} and declares what it imports`, () => {
      const dir = path.join(root, 'packages', pkg);
      const imported = new Set<string>();
      for (const file of sourceFiles(path.join(dir, 'src'))) {
        for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]@ghlake\/([a-z-]+)/g)) imported.add(m[1]!);
      }
      imported.delete(pkg);
      expect([...imported].filter((d) => !allowed.includes(d))).toEqual([]);
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      const declared = Object.keys(manifest.dependencies ?? {})
        .filter((d) => d.startsWith('@ghlake/'))
        .map((d) => d.slice('@ghlake/'.length));
      for (const dep of imported) expect(declared).toContain(dep);
    });
  }
});
