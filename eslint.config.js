// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noProcessEnv = {
  'no-restricted-properties': [
    'error',
    { object: 'process', property: 'env', message: 'Read configuration in one env module and pass it in.' },
  ],
};

/** Dependency direction (ARCHITECTURE.md §2): schemas ← domain ← {local-core, server}; local-core ← desktop. */
function forbid(patterns, message) {
  return { 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }] };
}

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.turbo/**',
      'e2e/test-results/**',
      'e2e/playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['packages/schemas/src/**'],
    rules: forbid(
      ['@janix/*', 'node:*', 'electron', 'fastify', 'react', 'react-dom', 'pg', 'better-sqlite3'],
      'schemas are pure: zod only.',
    ),
  },
  {
    files: ['packages/domain/src/**'],
    rules: forbid(
      [
        '@janix/local-core',
        '@janix/server',
        '@janix/testkit',
        'node:*',
        'electron',
        'fastify',
        'react',
        'pg',
        'better-sqlite3',
      ],
      'domain rules are pure: no I/O, clock and ids are injected.',
    ),
  },
  {
    files: ['packages/local-core/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@janix/server',
              allowTypeImports: true,
              message: 'The console sees the server only through its router type.',
            },
          ],
          patterns: [
            {
              group: [
                'electron',
                'fastify',
                'react',
                'react-dom',
                '@janix/server/*',
                '!@janix/server/testing',
              ],
              message: 'local-core is plain Node: no electron, fastify or react.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/documents/src/**'],
    rules: forbid(
      ['@janix/*', 'electron', 'fastify', 'react', 'react-dom', 'pg', 'better-sqlite3'],
      'documents are rendered from plain values: no database, app or framework.',
    ),
  },
  {
    files: ['packages/testkit/src/**'],
    rules: forbid(
      ['@janix/server', '@janix/local-core', 'electron', 'fastify', 'react'],
      'testkit depends only on schemas.',
    ),
  },
  { files: ['packages/*/src/**'], ignores: ['**/*.test.ts'], rules: noProcessEnv },
  {
    files: ['server/src/**'],
    ignores: ['server/src/env.ts', '**/*.test.ts'],
    rules: {
      ...noProcessEnv,
      ...forbid(
        ['@janix/local-core', 'electron', 'react', 'react-dom', 'better-sqlite3'],
        'the server never depends on the console.',
      ),
    },
  },
  {
    files: ['desktop/src/renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@janix/local-core',
              allowTypeImports: true,
              message: 'The renderer reaches the core only through tRPC.',
            },
          ],
          patterns: [
            {
              group: [
                'node:*',
                'electron',
                'better-sqlite3',
                'fastify',
                'pg',
                '@janix/server',
                '@janix/server/*',
              ],
              message: 'The renderer is browser code.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['desktop/src/shared/**', 'desktop/src/core-host/**', 'desktop/src/dev-host/**'],
    rules: forbid(['electron'], 'Only main/ and preload/ may import electron.'),
  },
  {
    files: ['e2e/**'],
    rules: forbid(
      ['@janix/local-core', '@janix/domain', '@janix/schemas'],
      'e2e drives the product from outside.',
    ),
  },
);
