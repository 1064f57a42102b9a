// Lint: typescript-eslint recommended + type-aware checks that catch real bugs (floating promises, misused
// promises), and the architecture: the layers of docs/architecture.md (eslint/layers.js), no import cycles, no
// file over 400 lines. Formatting is Prettier's (npm run lint runs both).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { layersPlugin } from './eslint/layers.js';

// The TypeScript settings of import-x (parsers, extensions), resolving through tsconfig with the next-generation resolver.
const { 'import-x/resolver': _legacyResolver, ...importSettings } = importX.flatConfigs.typescript.settings;

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'gobgp-testbed/**', 'eslint.config.js', 'eslint/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX, architecture: layersPlugin },
    settings: {
      ...importSettings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'architecture/layers': 'error',
      'import-x/no-cycle': 'error',
      'max-lines': ['error', { max: 400 }],
    },
  },
);
