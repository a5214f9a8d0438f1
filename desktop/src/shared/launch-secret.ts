// The dev host's per-launch secret. Any local process can reach 127.0.0.1, so the dev host serves /trpc only
// to requests that carry the secret it printed at launch (`Console: http://127.0.0.1:PORT/#launch=<secret>`).
// The page keeps it for its tab (sessionStorage) and sends it as a header with every request. It rides in the
// URL fragment, which browsers never send to a server or in a Referer.

export const LAUNCH_SECRET_HEADER = 'x-janix-launch';
const FRAGMENT_KEY = 'launch';

/** The console URL the dev host prints: its origin with the secret in the fragment. */
export function consoleUrlWithSecret(origin: string, secret: string): string {
  return `${origin}/#${FRAGMENT_KEY}=${encodeURIComponent(secret)}`;
}

/** The secret in a location hash (`#launch=…`), or null. */
export function launchSecretFromHash(hash: string): string | null {
  const match = /^#?launch=([A-Za-z0-9_-]{16,128})$/.exec(hash);
  return match?.[1] ?? null;
}
