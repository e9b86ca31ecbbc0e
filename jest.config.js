/** Jest runs the TypeScript sources through SWC (which, unlike tsx/esbuild, emits decorator metadata). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // The browser tests (tests/e2e) run in the pass against PostgreSQL and Redis only: what they test (the
  // pages, the browser's sign-in) does not change with the database, and CI's two passes run at once on
  // two cores, where Chromium twice cost both passes minutes.
  testPathIgnorePatterns: ['/node_modules/', ...(process.env.DATABASE_URL ? [] : ['<rootDir>/tests/e2e/'])],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  globalSetup: '<rootDir>/tests/support/global-setup.js',
  globalTeardown: '<rootDir>/tests/support/global-teardown.js',
  // The suite shares one database; files run one at a time so start-up migrations never race.
  maxWorkers: 1,
  testTimeout: 30000,
};
