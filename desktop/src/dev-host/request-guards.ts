// Who may talk to the dev host. It listens on loopback only, but a web page in the same browser can still
// aim requests at it: a DNS-rebinding page reaches it under its own host name, and a cross-site page can
// POST to it. The Host check stops the first, the Origin / Sec-Fetch-Site check on /trpc the second. Any
// other local process (another user's, a script) can send whatever headers it likes, so /trpc also needs
// the per-launch secret only the console's own page knows.
import { timingSafeEqual } from 'node:crypto';

/** Host headers the dev host answers to: the loopback address or `localhost`, always with its port. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** Whether a request's Host header names this server. A missing header is refused (HTTP/1.1 requires it). */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  return allowedHosts(port).includes(host.toLowerCase());
}

/**
 * Whether a /trpc request may reach the core. Browsers send `Origin` on every POST and on cross-origin
 * reads; it must be this server's own origin (`http://` + the already-checked Host). A request without
 * `Origin` is a same-origin GET or a non-browser client (curl, tests) and is let through unless
 * `Sec-Fetch-Site` says a browser sent it from another site.
 */
export function isAllowedTrpcRequest(
  headers: { host: string | undefined; origin: string | undefined; secFetchSite: string | undefined },
  port: number,
): boolean {
  if (!isAllowedHost(headers.host, port)) return false;
  if (headers.secFetchSite !== undefined && !['same-origin', 'none'].includes(headers.secFetchSite)) {
    return false;
  }
  if (headers.origin === undefined) return true;
  return headers.origin.toLowerCase() === `http://${headers.host!.toLowerCase()}`;
}

/** Whether a request carries this launch's secret; compared in constant time. */
export function hasLaunchSecret(header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== 'string') return false;
  const given = Buffer.from(header);
  const expected = Buffer.from(secret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
