import { generateDemoOrg } from '@janix/testkit';
import { openDatabase } from './database.ts';
import { seedDemoOrg } from './demo-seed.ts';
import { readEnv } from './env.ts';

const database = await openDatabase(readEnv(), (line) => console.error(`[seed] ${line}`));
try {
  // Dated from today, as `npm start` loads it.
  const loaded = await seedDemoOrg(database.adminPool, generateDemoOrg({ now: new Date() }));
  console.log(loaded ? 'Demo organization created.' : 'Demo organization already present; nothing to do.');
} finally {
  await database.close();
}
