import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/** Integration, CLI and server tests run twice: once on SQLite, once on a throwaway PostgreSQL 15 cluster. */
const databaseTests = ['test/integration/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/server/**/*.test.ts'];

/**
 * Tests of what does not depend on the database (the HTTP layer's hardening and role checks, the OpenAPI
 * document, the CLI's reading of foreign files and flags) run on SQLite only: what they drive underneath is
 * covered on PostgreSQL by the integration tests (import-foreign-files, email-identity, users) and the
 * server tests of the same routes.
 */
const databaseIndependent = [
  'test/cli/foreign-files.test.ts',
  'test/server/hardening-api.test.ts',
  'test/server/roles-api.test.ts',
  'test/server/openapi.test.ts',
];

const postgres: TestProjectInlineConfiguration = {
  extends: true,
  test: {
    name: 'postgres',
    include: databaseTests,
    exclude: [...configDefaults.exclude, ...databaseIndependent],
    env: { ROSTER_TEST_DB: 'postgres' },
    globalSetup: ['test/support/pg-global-setup.ts'],
  },
};

/**
 * Roster on several machines: network namespaces joined by veth links (as root), PostgreSQL in one, the API
 * in another, workers in two more. It makes its own PostgreSQL server, and skips itself, saying why, where
 * namespaces cannot be made.
 */
const multihost: TestProjectInlineConfiguration = {
  extends: true,
  test: { name: 'multihost', include: ['test/multihost/**/*.test.ts'] },
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
      ...(skipPostgres ? [] : [postgres, multihost]),
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
