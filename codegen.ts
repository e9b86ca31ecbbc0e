import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the operations written with `graphql(...)` in tests (including tests/support/client-example.ts, the README's typed client),
 * generated offline from the emitted SDL (`npm run codegen` runs `npm run schema` first).
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['tests/**/*.ts'],
  ignoreNoDocuments: false,
  generates: {
    'codegen/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTimeISO: 'string', ID: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
  hooks: { afterAllFileWrite: [] },
};

export default config;
