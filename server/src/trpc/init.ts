import { initTRPC, TRPCError } from '@trpc/server';
import { z, ZodError } from 'zod';
import type { Context } from './context.ts';

/** Machine-readable reasons a console acts on (wipe on revocation, show "update required", refetch). */
export type ErrorReason =
  | 'device_revoked'
  | 'unknown_device'
  | 'session_invalid'
  | 'update_required'
  | 'sequence_gap'
  | 'must_refetch'
  | 'rate_limited';

export class ReasonedError extends TRPCError {
  readonly reason: ErrorReason;
  readonly details: Record<string, unknown>;
  constructor(opts: {
    code: TRPCError['code'];
    reason: ErrorReason;
    message: string;
    details?: Record<string, unknown>;
  }) {
    super({ code: opts.code, message: opts.message });
    this.reason = opts.reason;
    this.details = opts.details ?? {};
  }
}

/** One readable line per problem, e.g. "email: must be an email address". */
export function describeZodError(error: ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const reasoned = error instanceof ReasonedError ? error : null;
    return {
      ...shape,
      // Internal errors never reveal their text; the log has it.
      message:
        error.code === 'INTERNAL_SERVER_ERROR'
          ? 'Something went wrong on the server.'
          : cause instanceof ZodError
            ? describeZodError(cause)
            : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        reason: reasoned?.reason ?? null,
        details: reasoned?.details ?? null,
        zodError: cause instanceof ZodError ? z.flattenError(cause) : null,
      },
    };
  },
});

export const router = t.router;
export const publicProcedure = t.procedure;
export const middleware = t.middleware;
export const createCallerFactory = t.createCallerFactory;
