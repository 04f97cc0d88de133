// ESLint flat config. TypeScript (src, spec, marbles, examples, bench, soak, configs) gets
// typescript-eslint's strict type-checked rules; plain JavaScript (scripts, configs, the examples
// runner) gets ESLint's recommended rules. Formatting is Prettier's job (`prettier --check .`).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    'dist/',
    'coverage/',
    'docs/',
    '.scratch/',
    'bench/.out/',
    'bench/results/',
    // Set up with their own toolchains (Angular, a browser page) and checked by their own tests.
    'examples/angular/',
    'examples/dashboard/',
  ]),
  js.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts', '**/*.cts'],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: {
        // One program for all of it: the root tsconfig includes every folder linted here and maps
        // `rxbroker` to src/, so linting does not depend on a build in dist/.
        project: './tsconfig.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Numbers (actor ids, counts, milliseconds) read fine in messages and reports.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `(a, e) => expect(a).toEqual(e)` and `() => subject.next(x)` are the idiom of RxJS and test
      // callbacks; braces around each would add noise, not safety.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Passing on a caught `unknown` (`catch (e) { return Promise.reject(e) }`) is a rethrow, as
      // `only-throw-error` allows by default; new rejections are still checked.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // A leading underscore marks a parameter that must be there but is not used.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Off: `defineMessage<void, number>()` (no payload) and `Message<unknown, void>` (no result)
      // are rxbroker's API. The rule means to allow `void` as a generic type argument, but only
      // recognises type references, not the type arguments of a call.
      '@typescript-eslint/no-invalid-void-type': 'off',
      // Off: `defineMessage<P, void>` spells out that a message is fire-and-forget; leaving out
      // the result type because it happens to default to `void` would hide that from the reader.
      '@typescript-eslint/no-unnecessary-type-arguments': 'off',
    },
  },
  {
    files: ['spec/**/*.ts', 'marbles/**/*.ts'],
    rules: {
      // Off in tests: `receive: async () => 'x'` is how a test makes an actor answer with a
      // Promise (and turns a throw into a rejection), which is what it means to test.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['soak/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Off in the performance scripts: hot loops index fixed-size arrays (`ticks[i & 255]!`)
      // whose indices are in range by construction; a check per access would be measured too.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['spec/types/**/*.test-d.ts'],
    rules: {
      // Off in type tests: they touch expressions only for their types (`void result.error` under
      // `@ts-expect-error`, `expectTypeOf(broker.trySend(...)).toEqualTypeOf<void>()`).
      '@typescript-eslint/no-meaningless-void-operator': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
  },
);
