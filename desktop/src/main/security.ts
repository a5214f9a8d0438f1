// Every security decision of the Electron shell, as pure functions: main/index.ts only wires them to
// Electron events, and the tests here feed them hostile input on any OS (path functions are injected so
// Windows rules are tested on Linux too).
import type { PlatformPath } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'janix';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Protocols handed to the system browser; anything else (file:, smb:, ms-msdt:, custom handlers) is not. */
export const EXTERNAL_PROTOCOLS: readonly string[] = ['https:', 'http:'];
// Long enough for real links, short enough that a page cannot hand the OS an arbitrarily large argument.
const MAX_EXTERNAL_URL_LENGTH = 8 * 1024;

/** Permissions the app origin may be granted. None yet: add one here only when a feature needs it. */
export const APP_PERMISSIONS: ReadonlySet<string> = new Set();

/**
 * CSP sent with every app:// response. Renderer code comes only from the app origin; it talks to the core
 * over the bridge, not the network, hence connect-src 'self'. Inline styles are allowed for React's
 * `style` attributes.
 */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function parseUrl(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

/**
 * Compares scheme, host and port, which is what an origin is. `URL.origin` cannot be used: Node reports
 * "null" for schemes it does not know, such as app:. Credentials are refused outright because
 * `http://trusted@evil.example` is a classic way to make a foreign URL look trusted.
 */
export function isSameOrigin(candidate: string, origin: string): boolean {
  const a = parseUrl(candidate);
  const b = parseUrl(origin);
  if (!a || !b || a.host === '' || a.username !== '' || a.password !== '') return false;
  return (
    a.protocol === b.protocol && a.hostname.toLowerCase() === b.hostname.toLowerCase() && a.port === b.port
  );
}

/** Whether a navigation, redirect or permission request comes from (or goes to) the app itself. */
export function isAppUrl(raw: string): boolean {
  return isSameOrigin(raw, APP_ORIGIN);
}

/**
 * The URL to give `shell.openExternal`, or null. Returns the parser's serialization rather than the raw
 * string so that the OS sees exactly what was checked.
 */
export function externalUrlToOpen(
  raw: string,
  allowedProtocols: readonly string[] = EXTERNAL_PROTOCOLS,
): string | null {
  if (raw.length > MAX_EXTERNAL_URL_LENGTH) return null;
  const url = parseUrl(raw);
  if (!url || !allowedProtocols.includes(url.protocol)) return null;
  if (url.hostname === '' || url.username !== '' || url.password !== '') return null;
  return url.href;
}

/**
 * `media` is granted for the camera alone: the door screen scans tickets with it. The microphone is never
 * needed, so a request that includes audio (or does not say what it wants) is refused whole.
 */
export function isPermissionGranted(
  permission: string,
  requestingUrl: string,
  allowed: ReadonlySet<string> = APP_PERMISSIONS,
  mediaTypes?: readonly string[],
): boolean {
  if (!isAppUrl(requestingUrl)) return false;
  if (permission === 'media') {
    return mediaTypes !== undefined && mediaTypes.length > 0 && mediaTypes.every((type) => type === 'video');
  }
  return allowed.has(permission);
}

export type PathFunctions = Pick<PlatformPath, 'join' | 'relative' | 'resolve' | 'isAbsolute' | 'sep'>;

/** Whether `candidate` is strictly inside `root` (not root itself), judged after resolving both. */
export function isPathInside(root: string, candidate: string, path: PathFunctions): boolean {
  const relative = path.relative(path.resolve(root), path.resolve(candidate));
  return (
    relative !== '' &&
    relative !== '..' &&
    !relative.startsWith(`..${path.sep}`) &&
    // On Windows, a path on another drive or a UNC share comes back absolute.
    !path.isAbsolute(relative)
  );
}

// A decoded segment may not carry a separator of either OS, a drive or stream colon, or control characters.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_SEGMENT = /[\\/:\u0000-\u001f\u007f]/;

export interface RendererFileDeps {
  /** Absolute path of the built renderer (dist/renderer). */
  root: string;
  path: PathFunctions;
  isFile: (filePath: string) => boolean;
}

/**
 * Maps an app:// request URL to a file under the renderer root, or null (answer 404). The URL parser has
 * already folded plain `..` segments; percent-encoded ones (`%2e%2e`, `..%2f`, `..%5c`) only appear after
 * decoding, so segments are checked after it, and containment is checked again on the final path.
 * Unknown extension-less paths get index.html, so client-side routes survive a reload.
 */
export function rendererFileForUrl(rawUrl: string, { root, path, isFile }: RendererFileDeps): string | null {
  const url = parseUrl(rawUrl);
  if (!url || !isAppUrl(rawUrl)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  const segments = decoded.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '.' || segment === '..' || FORBIDDEN_IN_SEGMENT.test(segment))) {
    return null;
  }
  const entry = path.join(root, 'index.html');
  if (segments.length === 0) return entry;
  const candidate = path.join(root, ...segments);
  if (!isPathInside(root, candidate, path)) return null;
  if (isFile(candidate)) return candidate;
  const last = segments[segments.length - 1] ?? '';
  return last.includes('.') ? null : entry;
}
