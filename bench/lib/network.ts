/**
 * A console's network that can be cut, standing in for the venue's. Offline, a fetch fails the way a dead
 * network does: after a turn of the event loop, not at once.
 */
export function cuttableNetwork() {
  let online = true;
  const network: typeof fetch = (input, init) =>
    online
      ? fetch(input, init)
      : new Promise((_, reject) => setImmediate(() => reject(new TypeError('fetch failed'))));
  return {
    fetch: network,
    set(value: boolean): void {
      online = value;
    },
  };
}
