import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { refuse } from './request-limits.ts';

/** The names a loopback server answers to by default. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** True for a listen address only this machine can reach. */
export function isLoopbackAddress(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}

interface HostValue {
  name: string;
  port: number | null;
}

/** Splits `name[:port]` (the name may be a bracketed IPv6 literal); null when it is not one. */
function parseHost(value: string): HostValue | null {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(value.trim());
  if (!match) return null;
  return { name: match[1]!.toLowerCase(), port: match[2] === undefined ? null : Number(match[2]) };
}

export interface HostAllowlist {
  /** `localPort`: the port the connection came in on; absent for an in-process (injected) request. */
  allows(host: string | undefined, localPort: number | undefined): boolean;
  /** For the refusal message and the startup log. */
  readonly description: string;
}

/**
 * Which Host header values the server answers, against DNS rebinding: a web page on an attacker's name that
 * re-resolves to 127.0.0.1 reaches the server with that name in Host, and is refused. Configured entries are
 * `name` (any port) or `name:port`. Unconfigured: the loopback names on the port the request came in on, and
 * when the server listens beyond loopback, IP literals too (no DNS name can be rebound to reach those).
 */
export function hostAllowlist(options: { allowedHosts?: string[]; listenHost: string }): HostAllowlist {
  if (options.allowedHosts?.length) {
    const entries = options.allowedHosts.map((entry) => {
      const parsed = parseHost(entry);
      if (!parsed) throw new Error(`ALLOWED_HOSTS: "${entry}" is not a host name or host:port`);
      return parsed;
    });
    return {
      description: options.allowedHosts.join(', '),
      allows(host) {
        const value = host === undefined ? null : parseHost(host);
        return (
          value !== null &&
          entries.some(
            (entry) =>
              entry.name === value.name && (entry.port === null || entry.port === (value.port ?? 80)),
          )
        );
      },
    };
  }
  const ipLiterals = !isLoopbackAddress(options.listenHost);
  return {
    description: `${LOOPBACK_NAMES.join(', ')}${ipLiterals ? ', IP addresses' : ''} on the listening port`,
    allows(host, localPort) {
      const value = host === undefined ? null : parseHost(host);
      if (!value) return false;
      const named =
        LOOPBACK_NAMES.includes(value.name) ||
        (ipLiterals && isIP(value.name.replace(/^\[(.*)\]$/, '$1')) !== 0);
      return named && (localPort === undefined || (value.port ?? 80) === localPort);
    },
  };
}

/** Refuses, before anything else runs, a request whose Host the allowlist does not name (421 Misdirected). */
export function guardHosts(app: FastifyInstance, allowlist: HostAllowlist): void {
  app.addHook('onRequest', async (request, reply) => {
    if (allowlist.allows(request.host || undefined, request.raw.socket.localPort)) return undefined;
    return refuse(
      reply,
      421,
      'host_not_allowed',
      `This server does not answer to the host name in this request. It answers to ${allowlist.description}; ` +
        'set ALLOWED_HOSTS to the names its clients use.',
    );
  });
}
