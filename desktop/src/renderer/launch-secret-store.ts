import { launchSecretFromHash } from '../shared/launch-secret.ts';

export const LAUNCH_SECRET_STORAGE_KEY = 'janix.launchSecret';

/**
 * Keeps the dev host's launch secret for this tab: taken from the URL fragment the dev host printed (then
 * removed from the address bar, so it is not left on screen or in history), or from the tab's session
 * storage after a reload. A new launch prints a new secret; the old one no longer opens anything.
 */
export function takeLaunchSecret(
  location: { hash: string; pathname: string; search: string },
  storage: Pick<Storage, 'getItem' | 'setItem'>,
  replaceUrl: (url: string) => void,
): string | null {
  const fromUrl = launchSecretFromHash(location.hash);
  if (fromUrl) {
    storage.setItem(LAUNCH_SECRET_STORAGE_KEY, fromUrl);
    replaceUrl(`${location.pathname}${location.search}#/dashboard`);
    return fromUrl;
  }
  return storage.getItem(LAUNCH_SECRET_STORAGE_KEY);
}
