import { z } from 'zod';
import { emailSchema } from '@janix/schemas';
import { publicProcedure, router } from '../init.ts';
import { notFound } from '../procedures.ts';

/** Development only: lets a console show the mail a development server "sent". Absent in production. */
export const devMailboxRouter = router({
  enabled: publicProcedure.query(({ ctx }) => ({ enabled: ctx.deps.devMailbox !== null })),
  list: publicProcedure.input(z.object({ to: emailSchema.optional() })).query(async ({ ctx, input }) => {
    if (!ctx.deps.devMailbox) throw notFound('Mailbox');
    return ctx.deps.devMailbox.list(input.to);
  }),
});
