import { router } from './init.ts';
import { authRouter } from './routers/auth.ts';
import { devicesRouter } from './routers/devices.ts';
import { devMailboxRouter } from './routers/dev-mailbox.ts';
import { salesRouter } from './routers/sales.ts';
import { syncRouter } from './routers/sync.ts';
import { paymentsRouter } from '../payments/payments-router.ts';

export const appRouter = router({
  auth: authRouter,
  devices: devicesRouter,
  sync: syncRouter,
  sales: salesRouter,
  devMailbox: devMailboxRouter,
  payments: paymentsRouter,
});

export type AppRouter = typeof appRouter;
