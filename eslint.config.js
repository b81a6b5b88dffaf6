// The TypeScript lint (pnpm lint): a few type-aware rules, each for a kind of bug that type-checking
// alone lets through in a server. Formatting is Prettier's job (.prettierrc.json), so no rule here
// is about layout. Imports of types need no rule: verbatimModuleSyntax (tsconfig.base.json) already
// makes tsc reject a type imported without `type`. The packages' types are read from their dist/
// (their package.json exports), so `pnpm lint:ts` builds first, as the other scripts do.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'test/artifacts/**'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: {
        // Each file is checked with the tsconfig.json that builds it; vitest.config.ts is in none.
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits loses its rejection: an unhandled rejection ends the process.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async listener (socket.on('data', async …)) returns a promise the emitter drops.
      '@typescript-eslint/no-misused-promises': 'error',
      // Awaiting what is not a promise is a misunderstanding of the callee, not a pause.
      '@typescript-eslint/await-thenable': 'error',
      // `return promise` inside try skips its catch and finally; awaiting it there keeps them.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      // Throwing or rejecting with a non-Error loses the stack a reader needs.
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      // A union gains a member (a state, an event kind): each switch without a default must say
      // what to do with it. A default clause is a decision already made (the parser's states).
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      // Dead imports and variables; destructuring to leave fields out is the one idiom allowed.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // A body on its own line has braces: a statement added under a brace-less if is outside it.
      // (Prettier moves a long one-line if's body to the next line; eslint --fix adds the braces.)
      curly: ['error', 'multi-line'],
    },
  },
  {
    // Each of the parser's step functions switches over its own group of states only, and
    // execute (request-parser.ts) picks the function by group (parser/states.ts): no switch there
    // names every state, and a default clause in each would be a line with no match in llhttp.
    files: ['packages/net-server/src/parser/*.ts'],
    rules: { '@typescript-eslint/switch-exhaustiveness-check': 'off' },
  },
);
