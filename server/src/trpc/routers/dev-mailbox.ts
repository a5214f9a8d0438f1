import { z } from 'zod';
import { emailSchema } from '@janix/schemas';
import { publicProcedure, router } from '../init.ts';
import { notFound } from '../procedures.ts';
import type { Context } from '../context.ts';

/**
 * Development only: lets the console `npm start` launched show the sign-in codes a development server "sent".
 * It answers only a caller that presents the per-run secret; anyone else is told it does not exist, exactly
 * as on a server that has none (production, or a configured mail provider).
 */
function readableMailbox(ctx: Context) {
  const mailbox = ctx.deps.devMailbox;
  return mailbox?.readableWith(ctx.devMailboxSecret) ? mailbox : null;
}

export const devMailboxRouter = router({
  enabled: publicProcedure.query(({ ctx }) => ({ enabled: readableMailbox(ctx) !== null })),
  list: publicProcedure.input(z.object({ to: emailSchema.optional() })).query(async ({ ctx, input }) => {
    const mailbox = readableMailbox(ctx);
    if (!mailbox) throw notFound('Mailbox');
    return mailbox.list(input.to);
  }),
});
