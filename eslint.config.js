import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'build/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='node:child_process']",
          message: 'spawn processes only through @polis/core (packages/core/src/proc)',
        },
      ],
    },
  },
  {
    files: ['packages/core/src/proc/**', 'scripts/**', 'packages/tests/src/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
