import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.ts';
import { createTestDatabase, startTestCluster, type TestDatabase } from '../src/testing.ts';

/**
 * Roles are cluster-wide but node-pg-migrate's advisory lock is per database, so this needs a cluster of
 * its own on which `janix_app` does not exist yet (the shared test cluster has it from the first suite).
 */
let cluster: { adminUrl: string; stop: () => Promise<void> };
const databases: TestDatabase[] = [];

beforeAll(async () => {
  cluster = await startTestCluster();
});

afterAll(async () => {
  for (const db of databases) await db.drop();
  await cluster?.stop();
});

describe('migrations', () => {
  // BUG (see report): the foundation migration's "IF NOT EXISTS ... CREATE ROLE janix_app" races when
  // several databases of one fresh cluster migrate at once (parallel suites, two servers on one cluster).
  it('several databases of one fresh cluster can migrate at the same time', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 3 }, () => createTestDatabase(cluster.adminUrl)),
    );
    for (const result of results) if (result.status === 'fulfilled') databases.push(result.value);
    const failures = results.flatMap((result) =>
      result.status === 'rejected' ? [String((result.reason as Error).message)] : [],
    );
    expect(failures).toEqual([]);
  });

  it('migrating an up-to-date database again applies nothing', async () => {
    const db = databases[0] ?? (await createTestDatabase(cluster.adminUrl));
    if (!databases.includes(db)) databases.push(db);
    await expect(migrate(db.adminPool)).resolves.toEqual([]);
    const applied = await db.adminPool.query<{ name: string }>('SELECT name FROM pgmigrations ORDER BY id');
    const shipped = readdirSync(new URL('../migrations/', import.meta.url))
      .filter((file) => file.endsWith('.sql'))
      .map((file) => file.replace(/\.sql$/, ''))
      .sort();
    expect(shipped).toContain('1764100000000_change-feed');
    expect(applied.rows.map((row) => row.name)).toEqual(shipped);
  });
});
