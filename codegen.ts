import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the operations written with `graphql(...)` in tests (including tests/support/client-example.ts, the README's typed client),
 * generated offline from the emitted SDL (`npm run codegen` runs `npm run schema` first), and their
 * manifest of trusted documents (codegen/persisted-documents.json).
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['tests/**/*.ts'],
  ignoreNoDocuments: false,
  generates: {
    'codegen/': {
      preset: 'client',
      // persisted-documents.json: the trusted documents' manifest (SHA-256 → text), for TRUSTED_DOCUMENTS.
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
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
