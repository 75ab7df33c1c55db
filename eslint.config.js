// ESLint flat config. Zero warnings allowed (`--max-warnings 0`).
import fs from 'node:fs';
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const noDefaultExport = {
  selector: 'ExportDefaultDeclaration',
  message: 'Use named exports.',
};
const noExposedIpcRenderer = [
  {
    selector: "CallExpression[callee.property.name='exposeInMainWorld'] > Identifier[name='ipcRenderer']",
    message: 'Never expose ipcRenderer itself; expose one function per contract call.',
  },
  {
    selector: "CallExpression[callee.property.name='exposeInMainWorld'] Property[value.name='ipcRenderer']",
    message: 'Never expose ipcRenderer itself; expose one function per contract call.',
  },
];

// Layers of src-main (issue 16): entry points (shell, host, cli, demo) may import the composition
// root (app); app composes the candidate session (session) and the domains; session uses domains;
// a domain folder never reaches up into session, app or an entry point. Every other folder of
// src-main is a domain, so a new folder is covered without editing this list.
const entryLayers = ['shell', 'host', 'cli', 'demo'];
const upperLayers = ['app', 'session', ...entryLayers];
const domains = fs
  .readdirSync(new URL('./src-main', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory() && !upperLayers.includes(d.name))
  .map((d) => d.name);
const zone = (target, from, message) => ({
  target: `./src-main/${target}`,
  from: from.map((f) => `./src-main/${f}`),
  message,
});
const layerZones = [
  ...domains.map((d) =>
    zone(
      d,
      upperLayers,
      'A domain folder must not depend on the session, the composition root or an entry point.',
    ),
  ),
  zone('session', ['app', ...entryLayers], 'The candidate session must not depend on the composition root.'),
  zone('app', entryLayers, 'The composition root must not depend on an entry point.'),
  {
    target: ['./src-preload', './src-renderer'],
    from: './src-main',
    message: 'Windows and preloads reach main only through the contract.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'test-artifacts/**',
      'bench-results/**',
      'coverage/**',
      // `npm start`'s Electron build of the native modules (a copy of node_modules/better-sqlite3).
      '.electron-native/**',
      // Test inputs, some deliberately insecure (tests/fixtures/electronegativity).
      'tests/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.node.json', './tsconfig.web.json'],
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      'no-restricted-syntax': ['error', noDefaultExport, ...noExposedIpcRenderer],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: "Only src-main/shell/ and src-preload/index.ts may import 'electron'.",
              allowTypeImports: false,
            },
          ],
        },
      ],
    },
  },
  {
    // No import cycles (type-only imports included: a cycle of types is still a tangle), and the
    // layer rules above.
    files: ['src-main/**/*.ts', 'src-preload/**/*.ts', 'src-renderer/**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      // Without these, import-x reads only .js dependencies and sees no cycle through .ts files.
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['./tsconfig.node.json'] })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
    },
  },
  {
    // The only places allowed to import electron.
    files: ['src-main/shell/**/*.ts', 'src-preload/index.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // Tool configs must default-export.
    files: [
      'eslint.config.js',
      'vite.config.ts',
      'vitest.config.ts',
      'tests/electron/vitest.config.ts',
      'src-main/types/*.d.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', 'eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // CommonJS build hooks (electron-builder loads them with require()).
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
