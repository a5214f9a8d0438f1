import { fileURLToPath } from 'node:url';
import { postgresVitestConfig } from './src/testing/postgres-vitest-config.js';

const setup = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Besides the embedded PostgreSQL, one stripe-mock for the payment suites (test/stripe-mock-setup.ts).
export default postgresVitestConfig({
  globalSetup: [setup('./src/testing/postgres-global-setup.ts'), setup('./test/stripe-mock-setup.ts')],
});
