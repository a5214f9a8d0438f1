/**
 * Sliding-window limit on restarts: a core host that crashes on start (corrupt replica, wrong native ABI)
 * must not be respawned in a tight loop.
 */
export interface RestartBudget {
  /** Records a restart and returns true, or returns false if the window is already full. */
  tryConsume(): boolean;
}

export function createRestartBudget(options: {
  max: number;
  windowMs: number;
  now?: () => number;
}): RestartBudget {
  const { max, windowMs, now = Date.now } = options;
  const restarts: number[] = [];
  return {
    tryConsume() {
      const at = now();
      while (restarts.length > 0 && at - (restarts[0] ?? at) >= windowMs) restarts.shift();
      if (restarts.length >= max) return false;
      restarts.push(at);
      return true;
    },
  };
}
