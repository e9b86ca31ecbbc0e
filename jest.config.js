/** Jest runs the TypeScript sources through SWC (which, unlike tsx/esbuild, emits decorator metadata). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // The GraphiQL browser test runs in the pass against PostgreSQL and Redis only: GraphiQL and its sign-in
  // do not change with the database, and CI's two passes run at once on two cores, where its 80 s of
  // Chromium twice slowed both. (The insights page's browser test runs on both backends: its charts read them.)
  testPathIgnorePatterns: [
    '/node_modules/',
    ...(process.env.DATABASE_URL ? [] : ['<rootDir>/tests/e2e/graphiql.e2e.test.ts']),
  ],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  globalSetup: '<rootDir>/tests/support/global-setup.js',
  globalTeardown: '<rootDir>/tests/support/global-teardown.js',
  // The suite shares one database; files run one at a time so start-up migrations never race.
  maxWorkers: 1,
  testTimeout: 30000,
};
