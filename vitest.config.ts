import { defineConfig } from 'vitest/config';

const project = (name: string, root: string) => ({
  test: {
    name,
    root,
    include: ['test/**/*.test.ts'],
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
