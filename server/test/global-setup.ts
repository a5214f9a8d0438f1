import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startTestCluster } from '../src/testing.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/** One real embedded PostgreSQL for the whole run; each suite creates its own database in it. */
export default async function setup(project: TestProject) {
  const cluster = await startTestCluster();
  project.provide('pgAdminUrl', cluster.adminUrl);
  return () => cluster.stop();
}
