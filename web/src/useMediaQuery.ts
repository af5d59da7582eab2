import { useCallback, useSyncExternalStore } from 'react';

/** Whether a CSS media query matches (re-renders when it changes). */
export function useMediaQuery(query: string): boolean {
  const subscribe = useCallback(
    (cb: () => void) => {
      const mql = matchMedia(query);
      mql.addEventListener('change', cb);
      return () => mql.removeEventListener('change', cb);
    },
    [query],
  );
  return useSyncExternalStore(subscribe, () => matchMedia(query).matches);
}

/** Below this width a room is one column with tabs (keep in step with styles.css). */
export const PHONE_QUERY = '(max-width: 720px)';
/** A tablet held upright: the room stacks editor above terminals. */
export const TABLET_PORTRAIT_QUERY = '(max-width: 1100px) and (orientation: portrait)';
