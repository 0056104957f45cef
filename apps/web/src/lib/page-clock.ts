/**
 * One clock for the page: a single timer, started by the first component that reads it and
 * stopped by the last, so a wallboard with hundreds of countdowns runs one timer and re-renders
 * them in one batch a second instead of hundreds of timers each re-rendering its own.
 */
export const pageClock = (() => {
  const listeners = new Set<() => void>();
  let now = Date.now();
  let timer: ReturnType<typeof setInterval> | undefined;
  return {
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      if (!timer) {
        now = Date.now();
        timer = setInterval(() => {
          now = Date.now();
          for (const notify of listeners) notify();
        }, 1000);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
    now: (): number => now,
  };
})();
