import { TRPCClientError } from '@trpc/client';

export const LOCAL_SERVICE_UNREACHABLE =
  "The console's local service is not responding. Restart the console.";

/**
 * The message to show for a failed call: the core's own message (already written for people, and for
 * validation failures a list of fields), or a plain sentence when the call never reached the core.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    // No error shape means the transport failed: the core host or dev host is gone.
    if (error.shape === undefined && error.data === undefined) return LOCAL_SERVICE_UNREACHABLE;
    return error.message || 'Something went wrong.';
  }
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}
