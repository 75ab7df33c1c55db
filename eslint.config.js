// ESLint flat config. Zero warnings allowed (`--max-warnings 0`).
import js from '@eslint/js';
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

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'test-artifacts/**',
      'bench-results/**',
      'coverage/**',
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
    files: ['eslint.config.js', 'vite.config.ts', 'vitest.config.ts', 'src-main/types/*.d.ts'],
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
