import { generateDemoOrg } from '@janix/testkit';
import { openDatabase } from './database.ts';
import { seedDemoOrg } from './demo-seed.ts';
import { readEnv } from './env.ts';

const database = await openDatabase(readEnv(), (line) => console.error(`[seed] ${line}`));
try {
  const loaded = await seedDemoOrg(database.adminPool, generateDemoOrg());
  console.log(loaded ? 'Demo organization created.' : 'Demo organization already present; nothing to do.');
} finally {
  await database.close();
}
