// Runs a refresh every `ms` while the tab is visible; a hidden tab costs nothing, and coming back refreshes at once.
// The latest `fn` is always the one called, so it may read the component's current state.
import { useEffect, useRef } from "preact/hooks";

export function usePoll(fn: () => void | Promise<void>, ms: number, opts: { immediate?: boolean } = {}) {
  const immediate = opts.immediate ?? true;
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    let timer = 0;
    let busy = false;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        await latest.current();
      } finally {
        busy = false;
      }
    };
    const start = () => {
      clearInterval(timer);
      if (document.visibilityState === "visible") timer = window.setInterval(tick, ms);
    };
    const onVisibility = () => {
      start();
      if (document.visibilityState === "visible") void tick();
    };
    if (immediate) void tick();
    start();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [ms, immediate]);
}
