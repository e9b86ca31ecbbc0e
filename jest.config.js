/** Jest runs the TypeScript sources through SWC (which, unlike tsx/esbuild, emits decorator metadata). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  globalSetup: '<rootDir>/tests/support/global-setup.js',
  globalTeardown: '<rootDir>/tests/support/global-teardown.js',
  // The suite shares one database; files run one at a time so start-up migrations never race.
  maxWorkers: 1,
  testTimeout: 30000,
};
