import { z } from 'zod';
import { issueSignInCode, type IssueDeps } from '../auth/sign-in-codes.ts';
import type { JobDefinition } from './job-queue.ts';

export const SIGN_IN_CODE = 'sign-in-code';

/** The job's data: the request's id only. The address stays in sign_in_requests, the code in nobody's hands. */
const signInCodeDataSchema = z.object({ requestId: z.uuid() });

/** Turns a queued sign-in request into a code and its mail (auth/sign-in-codes.ts). */
export function signInCodeJob(deps: IssueDeps): JobDefinition {
  return {
    name: SIGN_IN_CODE,
    // Two at once: a slow mail provider does not hold up every other address's code.
    concurrency: 2,
    run: async (data) => ({
      outcome: await issueSignInCode(deps, signInCodeDataSchema.parse(data).requestId),
    }),
  };
}
