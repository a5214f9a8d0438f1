/** A clock tests can move by hand; production code takes `() => Date` and never reads Date.now itself. */
export function createFixedClock(start: Date | string = '2026-11-01T10:00:00Z') {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance(ms: number) {
      current += ms;
    },
  };
}
