import { describe, expect, it } from 'vitest';
import { LAUNCH_SECRET_STORAGE_KEY, takeLaunchSecret } from './launch-secret-store.ts';

function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    items,
  };
}

describe('takeLaunchSecret', () => {
  it('takes the secret from the printed URL, keeps it for the tab and clears it from the address bar', () => {
    const storage = memoryStorage();
    const replaced: string[] = [];
    const secret = takeLaunchSecret(
      { hash: '#launch=AbCdEfGhIjKlMnOpQrStUvWx', pathname: '/', search: '' },
      storage,
      (url) => replaced.push(url),
    );
    expect(secret).toBe('AbCdEfGhIjKlMnOpQrStUvWx');
    expect(storage.items.get(LAUNCH_SECRET_STORAGE_KEY)).toBe(secret);
    expect(replaced).toEqual(['/#/dashboard']);
  });

  it('after a reload reads it back from the tab, leaving the route alone', () => {
    const storage = memoryStorage({ [LAUNCH_SECRET_STORAGE_KEY]: 'kept-from-before-the-reload' });
    const replaced: string[] = [];
    expect(
      takeLaunchSecret({ hash: '#/events', pathname: '/', search: '' }, storage, (u) => replaced.push(u)),
    ).toBe('kept-from-before-the-reload');
    expect(replaced).toEqual([]);
  });

  it('has none for a page opened without the printed link', () => {
    expect(takeLaunchSecret({ hash: '', pathname: '/', search: '' }, memoryStorage(), () => {})).toBeNull();
    expect(
      takeLaunchSecret({ hash: '#launch=short', pathname: '/', search: '' }, memoryStorage(), () => {}),
    ).toBeNull();
  });
});
