/**
 * Which server URLs a console may talk to. Session and device tokens travel in headers on every request, so a
 * server reached over the network must be `https://`; plain `http://` is only for a server on this machine
 * (`npm start`, tests), whose traffic never leaves the loopback interface.
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

export class ServerUrlError extends Error {}

/** The parsed URL, or a ServerUrlError whose message tells the person what to change. */
export function checkServerUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ServerUrlError(`Not a server URL: ${JSON.stringify(text)}`);
  }
  if (url.username || url.password) {
    throw new ServerUrlError(`The server URL must not carry a user name or password: ${url.origin}`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:') {
    if (LOOPBACK_HOSTS.has(url.hostname.toLowerCase())) return url;
    throw new ServerUrlError(
      `The server URL must use https:// (${url.origin} would send sign-in tokens unencrypted); ` +
        'http:// is only allowed for a server on this machine (127.0.0.1, ::1 or localhost).',
    );
  }
  throw new ServerUrlError(`The server URL must be https:// (or http:// on this machine): ${text}`);
}
