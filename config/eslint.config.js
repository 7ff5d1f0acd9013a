// ESLint flat config (kept under config/ so the repository's top level stays as designed).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { boundariesPlugin } from './boundaries.js';
import * as layers from './layers.js';

export default tseslint.config(
  { ignores: ['src/generated/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // The layer map (config/layers.js) as rules: the build fails on a Prisma import outside a store,
    // koa outside HTTP, an arrow the map does not draw, or a reach into another folder's internals.
    files: ['src/**/*.ts'],
    plugins: { boundaries: boundariesPlugin(layers) },
    rules: { 'boundaries/modules': 'error', 'boundaries/arrows': 'error', 'boundaries/internals': 'error' },
  },
  {
    // command-line entry points and tests print to the terminal
    files: ['test/**/*.ts', 'prisma/**/*.ts', 'src/bin/**', 'src/main.ts'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: { 'no-console': 'off' },
  },
);
