import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/** Integration, CLI and server tests run twice: once on SQLite, once on a throwaway PostgreSQL 15 cluster. */
const databaseTests = ['test/integration/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/server/**/*.test.ts'];

const postgres: TestProjectInlineConfiguration = {
  extends: true,
  test: {
    name: 'postgres',
    include: databaseTests,
    env: { ROSTER_TEST_DB: 'postgres' },
    globalSetup: ['test/support/pg-global-setup.ts'],
  },
};

// ROSTER_TEST_PG=skip leaves the postgres project out entirely, so no cluster is started.
const skipPostgres = process.env.ROSTER_TEST_PG === 'skip';

// Each project sets the backend itself; one exported in the shell must not reach the unit project.
delete process.env.ROSTER_TEST_DB;

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    passWithNoTests: true,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'sqlite', include: databaseTests, env: { ROSTER_TEST_DB: 'sqlite' } } },
      ...(skipPostgres ? [] : [postgres]),
      // The web UI in a real browser (Debian's Chromium) against a real `roster serve`; SQLite is enough here.
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          env: { ROSTER_TEST_DB: 'sqlite' },
          // A browser and a server on a busy 2-core machine: waits are limits, not speed targets.
          testTimeout: 180_000,
        },
      },
    ],
  },
});
