import { router } from './init.ts';
import { authRouter } from './routers/auth.ts';
import { devicesRouter } from './routers/devices.ts';
import { devMailboxRouter } from './routers/dev-mailbox.ts';
import { syncRouter } from './routers/sync.ts';

export const appRouter = router({
  auth: authRouter,
  devices: devicesRouter,
  sync: syncRouter,
  devMailbox: devMailboxRouter,
});

export type AppRouter = typeof appRouter;
