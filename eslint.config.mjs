// ESLint (`npm run lint`): a short list of rules that find bugs, not style (Biome formats).
// TypeScript is linted with type information from the root tsconfig.json, the same program
// `npm run typecheck` builds, so the promise rules see real types; docs/development.md has
// what each part costs.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.tmp/**', 'bench/results/**', '.demo/**', '.relink/**', 'coverage/**'] },
  {
    files: ['**/*.{ts,mjs,js}'],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      ...js.configs.recommended.rules,
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // `catch {}` is this codebase's way to say "best effort" (killing a process that may be gone).
      'no-empty': ['error', { allowEmptyCatch: true }],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base, tseslint.configs.eslintRecommended],
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      'no-redeclare': 'off',
      'no-dupe-class-members': 'off',
      // `typeof import('pg')` stays allowed: lib/lazy.ts names a package's types without loading it.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      // A promise nobody awaits loses its rejection: with type information these find them.
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test() and describe() return promises the runner itself awaits.
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    files: ['packages/sdk/src/**/*.ts', 'packages/contract/src/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  {
    files: ['**/*.mjs', 'packages/server/src/**/*.ts', 'packages/*/test/**/*.ts', 'examples/partner-app/{src,test}/**/*.ts', 'scripts/**', 'bench/**'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['packages/connect/src/**/*.ts', 'examples/partner-app/src/public/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['examples/partner-app/src/public/**/*.js'],
    languageOptions: { sourceType: 'script' },
  },
);
