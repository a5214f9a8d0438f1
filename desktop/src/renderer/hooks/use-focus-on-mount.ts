import { useEffect, useRef } from 'react';

/**
 * Moves focus to an element (a screen's heading, with tabIndex={-1}) when the screen appears, so keyboard
 * and screen-reader users start at the new content instead of the link they used.
 */
export function useFocusOnMount<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}
