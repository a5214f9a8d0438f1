/// <reference lib="dom" />
// The preload's half of the bridge, kept free of electron so it can be tested in Node with a real
// MessageChannel. The preload only feeds it ports and exposes its request().
import {
  BRIDGE_TIMEOUT_MS,
  serializedRequestSchema,
  serializedResponseSchema,
  type JanixBridge,
  type SerializedRequest,
  type SerializedResponse,
} from '../shared/bridge';

/** The part of a DOM MessagePort the client uses. */
export interface BridgePortLike {
  postMessage(message: SerializedRequest): void;
  close(): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

export interface BridgeClient extends JanixBridge {
  /** Switches to a new port from main: on first load, and again whenever the core host was restarted. */
  usePort(port: BridgePortLike): void;
}

interface Pending {
  resolve: (response: SerializedResponse) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export function createBridgeClient({ timeoutMs = BRIDGE_TIMEOUT_MS } = {}): BridgeClient {
  const pending = new Map<string, Pending>();
  let port: BridgePortLike | null = null;
  // Requests made before main hands over a port: the page's first queries run before dom-ready.
  let unsent: SerializedRequest[] = [];
  let lastId = 0;

  function settle(id: string, outcome: SerializedResponse | Error): void {
    const entry = pending.get(id);
    if (!entry) return; // a late answer to a request that already timed out
    pending.delete(id);
    clearTimeout(entry.timer);
    // A request that timed out before any port arrived must not reach the core later.
    unsent = unsent.filter((request) => request.id !== id);
    if (outcome instanceof Error) entry.reject(outcome);
    else entry.resolve(outcome);
  }

  return {
    usePort(next) {
      port?.close();
      // Whatever went out on the old port died with the core host that owned it.
      const lost = [...pending.keys()].filter((id) => !unsent.some((request) => request.id === id));
      for (const id of lost) settle(id, new Error('janixBridge: the local core restarted; request lost'));
      port = next;
      port.onmessage = ({ data }) => {
        const response = serializedResponseSchema.safeParse(data);
        if (response.success) settle(response.data.id, response.data);
      };
      for (const request of unsent) port.postMessage(request);
      unsent = [];
    },

    request(req) {
      return new Promise((resolve, reject) => {
        // The page may pass anything; only a valid request gets an id and leaves this world.
        const parsed = serializedRequestSchema.safeParse({ ...req, id: String(++lastId) });
        if (!parsed.success) {
          reject(new TypeError(`janixBridge: invalid request: ${parsed.error.message}`));
          return;
        }
        const { id } = parsed.data;
        const timer = setTimeout(
          () => settle(id, new Error(`janixBridge: no answer from the local core within ${timeoutMs} ms`)),
          timeoutMs,
        );
        pending.set(id, { resolve, reject, timer });
        if (port) port.postMessage(parsed.data);
        else unsent.push(parsed.data);
      });
    },
  };
}
