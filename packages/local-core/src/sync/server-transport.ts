import { SyncTransportError, type SyncFailureKind, type SyncTransport } from '@janix/sync';
import { describeServerError, type ServerClient } from '../server-client.ts';

const kindsByReason: Record<string, SyncFailureKind> = {
  device_revoked: 'device_revoked',
  unknown_device: 'unknown_device',
  update_required: 'update_required',
  must_refetch: 'must_refetch',
  session_invalid: 'session_invalid',
  sequence_gap: 'sequence_gap',
};

function classified(error: unknown): SyncTransportError {
  const info = describeServerError(error);
  if (!info.answered) return new SyncTransportError('offline', info.message);
  return new SyncTransportError(kindsByReason[info.reason ?? ''] ?? 'server', info.message);
}

/** The sync engine's transport over the server's tRPC API. */
export function createServerTransport(server: ServerClient): SyncTransport {
  return {
    async push(input) {
      try {
        return await server.sync.push.mutate(input);
      } catch (error) {
        throw classified(error);
      }
    },
    async pull(input) {
      const before = server.traffic.bytesReceived;
      try {
        const result = await server.sync.pull.query(input);
        return { result, bytes: server.traffic.bytesReceived - before };
      } catch (error) {
        throw classified(error);
      }
    },
    async *live(input, signal) {
      try {
        const pages = await server.sync.live.query(input, { signal });
        for await (const page of pages) yield page;
      } catch (error) {
        throw classified(error);
      }
    },
  };
}
