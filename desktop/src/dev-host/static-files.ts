// Maps a request path to a file of the built renderer. Node hands the server the raw request target, so
// `/../../etc/passwd` arrives unnormalised and `%2e%2e` only becomes `..` after decoding: segments are
// checked after decoding, and the joined path must still resolve inside the root.
import path from 'node:path';

export type StaticResolution =
  { kind: 'file'; filePath: string } | { kind: 'not-found' } | { kind: 'bad-request' };

// A decoded segment may not carry a separator of either OS, a drive or stream colon, or control characters.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_SEGMENT = /[\\/:\u0000-\u001f\u007f]/;

/** Whether `candidate` resolves to `root` itself or somewhere below it. */
export function isInsideRoot(root: string, candidate: string): boolean {
  const relative = path.relative(path.resolve(root), path.resolve(candidate));
  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
}

/**
 * Resolves the path part of a request URL (no query) against the renderer root. `/` is index.html; unknown
 * extension-less paths are index.html too, so client-side routes survive a reload; a missing file with an
 * extension (`/assets/gone.js`) is a 404 rather than HTML served as script.
 */
export function resolveStaticFile(
  root: string,
  pathname: string,
  isFile: (filePath: string) => boolean,
): StaticResolution {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { kind: 'bad-request' };
  }
  if (!decoded.startsWith('/')) return { kind: 'bad-request' };
  const segments = decoded.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '.' || segment === '..' || FORBIDDEN_IN_SEGMENT.test(segment))) {
    return { kind: 'bad-request' };
  }
  const index = path.join(root, 'index.html');
  if (segments.length === 0) return { kind: 'file', filePath: index };
  const candidate = path.join(root, ...segments);
  if (!isInsideRoot(root, candidate)) return { kind: 'bad-request' };
  if (isFile(candidate)) return { kind: 'file', filePath: candidate };
  const last = segments[segments.length - 1] ?? '';
  return last.includes('.') ? { kind: 'not-found' } : { kind: 'file', filePath: index };
}
