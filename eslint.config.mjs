// npm run lint: typescript-eslint's strict, type-checked rules over the sources, the tests and
// the build scripts' TypeScript. (Shell is linted by shellcheck in the same script.)
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'src/generated/**', 'node_modules/**', 'coverage/**', 'generated/**', 'test/fixtures/**', 'test/invalid/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Numbers (ports, ids, counts) are written into messages and files all the time; the rule
      // is there for objects and undefined, which it still catches.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Arrays of tuples read better as Array<[a, b]> than as [a, b][].
      '@typescript-eslint/array-type': ['error', { default: 'array-simple' }],
      // `(x) => f(x)` for a callback whose result nobody reads is the ordinary shape of a handler.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  {
    // A test states what it expects: a missing value fails the test at the assertion that needs it.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // The build scripts are plain JavaScript run by Node: linted, but without types.
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
  },
);
