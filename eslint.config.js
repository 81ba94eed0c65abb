/**
 * ESLint: strict TypeScript rules plus the import direction of the architecture, enforced per folder:
 * shared ← pure cores (strategy, analytics, book, adapters) ← parts with I/O (live, replay, execution,
 * risk, storage, files) ← desk ← hosts (Electron main, bridge, cli). A wrong arrow fails CI instead of waiting
 * for a review.
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const NODE_AND_NATIVE = [
  { group: ['node:*'], message: 'pure modules do no I/O: pass data and time in' },
  { group: ['electron', 'electron/*'], message: 'only the Electron host and preload may import electron' },
  { group: ['ws', 'better-sqlite3'], message: 'pure modules do no I/O' },
];
const UPWARD = (...folders) => folders.map((folder) => ({
  group: [`**/${folder}/**`, `**/${folder}`],
  message: `imports point one way (see DEVELOPERS.md): this module may not depend on ${folder}/`,
}));

function restrict(files, patterns) {
  return { files, rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'resources/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  restrict(['src/shared/**'], [
    ...NODE_AND_NATIVE,
    { group: ['react', 'react-dom', 'react/*', 'lightweight-charts'], message: 'shared is DOM-free' },
    ...UPWARD('main', 'renderer', 'preload'),
  ]),
  restrict(['src/main/strategy/**', 'src/main/analytics/**', 'src/main/market/book/**', 'src/main/market/adapters/**'], [
    ...NODE_AND_NATIVE,
    ...UPWARD('desk', 'bridge', 'cli', 'storage', 'risk', 'live', 'replay', 'renderer', 'preload'),
  ]),
  restrict(['src/main/market/**', 'src/main/execution/**', 'src/main/risk/**', 'src/main/storage/**', 'src/main/files/**', 'src/main/venue-sim/**'], [
    { group: ['electron', 'electron/*'], message: 'only the Electron host and preload may import electron' },
    ...UPWARD('desk', 'bridge', 'cli', 'renderer', 'preload'),
  ]),
  restrict(['src/main/desk/**'], [
    { group: ['electron', 'electron/*'], message: 'the desk is headless: hosts plug electron in' },
    ...UPWARD('bridge', 'cli', 'engine', 'renderer', 'preload'),
  ]),
  restrict(['src/main/bridge/**', 'src/main/cli/**', 'src/main/engine/**', 'src/main/fleet/**'], [
    { group: ['electron', 'electron/*'], message: 'only src/main/index.ts and its electron/ helpers may import electron' },
    ...UPWARD('renderer', 'preload'),
  ]),
  restrict(['src/renderer/**'], [
    ...NODE_AND_NATIVE,
    ...UPWARD('main', 'preload/index'),
  ]),
  // The independent check recomputes the statistics with its own code: it may read files, never borrow ours.
  restrict(['test/support/reference/**'], [
    { group: ['**/src/**'], message: 'the reference code of the independent check shares nothing with src/' },
  ]),
  restrict(['test/integration/backtest/independent-check.test.ts'], [
    { group: ['**/src/main/analytics/**', '**/src/main/analytics'], message: 'the independent check shares nothing with the analytics it checks' },
  ]),
  restrict(['src/preload/**'], [
    { group: ['node:*', 'ws', 'better-sqlite3'], message: 'the sandboxed preload exposes the typed bridge only' },
    ...UPWARD('main', 'renderer'),
  ]),
);
