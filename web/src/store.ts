// How a screen follows a value kept outside Preact (the session, the path, the language,
// the sync state): read it while rendering, subscribe after the frame, and look again once
// subscribed, so a change that lands between render() and the effect is never lost.
import { useEffect, useRef, useState } from 'preact/hooks';

/** The shape of React's useSyncExternalStore: `read` must return the same value until the store changes. */
export function useStore<T>(subscribe: (onChange: () => void) => () => void, read: () => T): T {
  const value = read();
  const [, force] = useState(0);
  const shown = useRef(value);
  shown.current = value;
  useEffect(() => {
    const check = () => {
      if (!Object.is(read(), shown.current)) force((n) => n + 1);
    };
    const stop = subscribe(check);
    // The first frame may end after the store changed (a slow phone, WebKit): catch up now.
    check();
    return stop;
  }, []);
  return value;
}
