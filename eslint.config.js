import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'test-artifacts/', '.tsbuild/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  // The boundaries of the house (see README, Layout): which way imports may
  // point. TypeScript's project references hold the same lines for types;
  // these rules name the broken one in the editor and in `npm run lint`.
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['node:*', 'fs', 'path', 'os', 'crypto', 'worker_threads', 'child_process', 'http', 'net'], message: 'shared/ is pure: no I/O, no Node modules (put Node code in node/ or server/).' },
        { group: ['better-sqlite3', 'kysely', 'express', 'socket.io', 'socket.io-client', 'pino', 'jose'], message: 'shared/ is pure: no database, transport or logging libraries.' },
        { group: ['**/server/**', '**/client/**', '**/cli/**', '**/node/**', '../server', '../client', '../cli', '../node'], message: 'shared/ is imported by every other part and imports none of them.' },
      ] }],
      'no-restricted-globals': ['error',
        ...['process', 'Buffer', 'require', 'window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'fetch', 'XMLHttpRequest', 'WebSocket', 'console', 'setInterval'].map((name) => ({ name, message: 'shared/ is pure: no I/O, no environment, no logging.' })),
      ],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'shared/ is pure: take the time as an argument.' },
        { object: 'Math', property: 'random', message: 'shared/ is pure: draw lots from the board head (shared/protocol/board.ts), never at random.' },
        { object: 'crypto', property: 'getRandomValues', message: 'shared/ is pure: randomness comes from the caller.' },
      ],
      'no-restricted-syntax': ['error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'shared/ is pure: take the time as an argument.' },
      ],
    },
  },
  {
    files: ['client/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/server/**', '../server', '../../server'], message: 'The client builds on shared/api, never on server/ (not even types).' },
        { group: ['**/cli/**', '**/node/**', 'node:*'], message: 'The client runs in the browser: no Node code.' },
      ] }],
    },
  },
  {
    files: ['cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/server/**', '../server'], message: 'cli/ is a user of the protocol like any outside verifier: shared/ and node/ only, never server/.' },
        { group: ['**/client/**'], message: 'cli/ does not use browser code.' },
      ] }],
    },
  },
  {
    files: ['node/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/server/**', '**/client/**', '**/cli/**', '../server', '../client', '../cli'], message: 'node/ holds helpers for server/ and cli/: it imports shared/ only.' },
      ] }],
    },
  },
  {
    files: ['server/**/*.ts'],
    // open.ts is the one place that picks the dialect from the configuration.
    ignores: ['server/store/sqlite/**', 'server/store/open.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/client/**', '**/cli/**'], message: 'server/ does not import the client or the command line.' },
        { group: ['better-sqlite3', '**/store/sqlite/**', './sqlite/*'], message: 'SQLite-specific code lives in server/store/sqlite/ only: use the Store interface (server/store/store.ts) and kysely.' },
      ] }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: globals.node },
  },
  {
    files: ['eslint.config.js', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
