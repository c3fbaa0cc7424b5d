// ESLint (flat config): typescript-eslint's type-aware rules, Nx's module boundaries, and
// eslint-config-prettier so that formatting is Prettier's alone (`npm run format:check`).
// Why ESLint and not Biome, and why each rule below is off: docs/lint.md.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/test/fixtures/**', 'packages/report/src/page/**', '**/*.as.ts', '.nx/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['vitest.config.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // Off, each for a reason (docs/lint.md):
      // - String(v) of driver rows typed `unknown` (Snowflake, DuckDB, JSON bodies) whose values are strings at run time.
      '@typescript-eslint/no-base-to-string': 'off',
      // - async functions without await implement async interfaces (Command.run, stage hooks).
      '@typescript-eslint/require-await': 'off',
      // - style only; 65 sites in every package, left for one `eslint --fix` after issue 18's refactors merge.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  {
    // Tests and benches read JSON, logs and DuckDB rows as `any` on purpose and check them with expect().
    files: ['**/test/**/*.ts', '**/bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // Output collected as `out += chunk` (Buffers from child processes) and printed into messages.
      '@typescript-eslint/restrict-plus-operands': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-non-null-asserted-optional-chain': 'off',
      // Expected output is column-aligned text, written as it prints.
      'no-regex-spaces': 'off',
    },
  },
  {
    // Which workspace package may import which, from the tags in each package.json's `nx` section.
    // Production code only (src/ and the launcher); tests and benches reach tools/ by relative path.
    files: ['packages/*/src/**/*.ts', 'packages/*/bin/*.mjs', 'tools/**/*.ts'],
    ignores: ['tools/test/**'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          // The real GH Archive fixtures (paths and their index) are core's test data; the generators and verify-parquet use them.
          allow: ['../**/packages/core/test/fixtures/gharchive.js'],
          depConstraints: [
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:core'] },
            // A stage imports core, and other stages only where its type allows (next lines).
            { sourceTag: 'scope:stage', onlyDependOnLibsWithTags: ['scope:core', 'scope:stage'] },
            { sourceTag: 'type:download', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'type:bronze', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'type:silver', onlyDependOnLibsWithTags: ['scope:core', 'type:bronze'] }, // bronze's parser, for the fused transform
            { sourceTag: 'type:gold', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'type:storage', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'type:report', onlyDependOnLibsWithTags: ['scope:core', 'type:gold'] }, // reads the warehouse through gold's query path
            // Only the app assembles stages.
            { sourceTag: 'scope:app', onlyDependOnLibsWithTags: ['scope:core', 'scope:stage'] },
            { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:core'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { process: 'readonly', console: 'readonly' } },
  },
  prettier,
);
