import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

// bigint columns (versions, sequences) fit in a JS number for any realistic lifetime; parse them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** The application pool: connects as the `janix_app` role (see app-role.ts), so RLS binds every query. */
export function createAppPool(connectionString: string, max = 10): Pool {
  return withIdleErrorHandler(new pg.Pool({ connectionString, max }));
}

/** Owner connection for migrations and seeding only. */
export function createAdminPool(connectionString: string, max = 4): Pool {
  return withIdleErrorHandler(new pg.Pool({ connectionString, max }));
}

/**
 * An idle pooled connection that the server closes (restart, failover, DROP DATABASE) emits an error on the
 * pool; unhandled, that would crash the process. The pool replaces the connection on next use.
 */
function withIdleErrorHandler(pool: Pool): Pool {
  pool.on('error', (error: Error & { code?: string }) => {
    process.stderr.write(`postgres: idle connection closed (${error.code ?? error.name})\n`);
  });
  return pool;
}
