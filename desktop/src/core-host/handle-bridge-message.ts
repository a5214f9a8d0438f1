import * as z from 'zod';
import {
  fromSerializedRequest,
  serializedRequestSchema,
  serializedResponseSchema,
  toSerializedResponse,
  type SerializedResponse,
} from '../shared/bridge';

/** The part of the local core the bridge needs; `LocalCore` satisfies it. */
export interface BridgeTarget {
  fetch(request: Request): Promise<Response>;
}

function errorResponse(id: string, status: number, error: string, detail?: string): SerializedResponse {
  return {
    id,
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(detail === undefined ? { error } : { error, detail }),
  };
}

// An invalid message still gets an answer under its id when the id itself is usable, so the preload can
// settle the caller's promise instead of waiting for its timeout.
function usableId(message: unknown): string {
  if (typeof message !== 'object' || message === null || !('id' in message)) return '';
  const parsed = serializedResponseSchema.shape.id.safeParse(message.id);
  return parsed.success ? parsed.data : '';
}

/**
 * Validates one message from the renderer's port, runs it through the core and serializes the answer.
 * Never rejects: whatever arrives on the port, the core host keeps running and answers something.
 */
export async function handleBridgeMessage(core: BridgeTarget, message: unknown): Promise<SerializedResponse> {
  const parsed = serializedRequestSchema.safeParse(message);
  if (!parsed.success) {
    return errorResponse(usableId(message), 400, 'invalid bridge request', z.prettifyError(parsed.error));
  }
  const { id } = parsed.data;
  try {
    const response = await core.fetch(fromSerializedRequest(parsed.data));
    if (!(response instanceof Response)) return errorResponse(id, 500, 'local core returned no Response');
    return await toSerializedResponse(id, response);
  } catch (error) {
    return errorResponse(
      id,
      500,
      'local core failed',
      error instanceof Error ? error.message : String(error),
    );
  }
}
