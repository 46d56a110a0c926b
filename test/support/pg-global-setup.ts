import type { TestProject } from 'vitest/node';
import { startPgCluster } from './pg-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the throwaway cluster's `postgres` database (postgres project only). */
    pgAdminUrl: string;
  }
}

/**
 * Global setup of the `postgres` test project: one throwaway PostgreSQL 15 cluster for the whole run,
 * its admin URL handed to test files through `inject('pgAdminUrl')`. Each test file then creates its own
 * database in it (see test-db.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startPgCluster().catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Could not start the PostgreSQL test cluster (ROSTER_TEST_PG=skip skips it):\n${reason}`);
  });
  project.provide('pgAdminUrl', cluster.adminUrl);
  return () => cluster.stop();
}
