// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', 'desktop/release/**', '**/*.vue'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'URL',
          'URLSearchParams',
          'Buffer',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'setImmediate',
          'fetch',
          'AbortSignal',
          'AbortController',
          'performance',
          'TextEncoder',
          'TextDecoder',
          'structuredClone',
          'queueMicrotask',
        ].map((name) => [name, 'readonly']),
      ),
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Tests read untyped JSON answers and browser APIs (mediasoup-client transports, RTCStats).
    files: ['tests/e2e/support/rtc-peer.ts', '**/*.test.ts', '**/src/testing/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
