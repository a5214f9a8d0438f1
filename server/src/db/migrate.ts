import { runner } from 'node-pg-migrate';
import { fileURLToPath } from 'node:url';
import type { Pool } from './pools.ts';

const migrationsDir = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Applies pending schema migrations, holding node-pg-migrate's advisory lock so concurrent starts are safe. */
export async function migrate(adminPool: Pool, log: (line: string) => void = () => {}): Promise<string[]> {
  const client = await adminPool.connect();
  try {
    const applied = await runner({
      dbClient: client,
      dir: migrationsDir,
      direction: 'up',
      migrationsTable: 'pgmigrations',
      singleTransaction: true,
      log,
    });
    return applied.map((migration) => migration.name);
  } finally {
    client.release();
  }
}
