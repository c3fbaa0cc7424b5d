import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests run the TypeScript sources: vite resolves `@ghlake/*` through the `@ghlake/source` export
// condition (src/ instead of dist/), and so does every ghlake process a test spawns and every
// worker thread, through NODE_OPTIONS. One test runs the compiled CLI:
// packages/pipeline/test/compiled-cli.test.ts.
const SOURCE_CONDITION = '@ghlake/source';
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href; // absolute: children run in other folders
const NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --conditions=${SOURCE_CONDITION} --import ${TSX_LOADER}`.trim();

const project = (name: string, root: string) => ({
  resolve: { conditions: [SOURCE_CONDITION] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION] } },
  test: {
    name,
    root,
    include: ['test/**/*.test.ts'],
    env: { NODE_OPTIONS },
    // Real servers, real DuckDB, real worker pools: give them room on a shared 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      ...['core', 'download', 'bronze', 'silver', 'gold', 'storage', 'report', 'pipeline'].map((p) => project(p, `packages/${p}`)),
      project('tools', 'tools'),
    ],
  },
});
