import { useEffect, useRef } from 'react';

/** What is open, the last opened on top: Escape closes only that one (a dialog over a detail pane). */
const open: (() => void)[] = [];

function onKey(e: KeyboardEvent): void {
  if (e.key !== 'Escape' || e.defaultPrevented) return;
  const close = open[open.length - 1];
  if (!close) return;
  e.preventDefault();
  close();
}

/**
 * Escape closes what is open (a detail pane, a dialog) wherever the focus is: the row that opened a pane keeps
 * the focus, so a handler on the pane alone never heard the key. A key something inside has already used (the
 * activity picker closes itself on Escape) is left alone. `null`: nothing open.
 */
export function useEscape(onEscape: (() => void) | null): void {
  const latest = useRef(onEscape);
  latest.current = onEscape;
  const active = onEscape !== null;
  useEffect(() => {
    if (!active) return;
    const close = (): void => latest.current?.();
    if (open.length === 0) document.addEventListener('keydown', onKey);
    open.push(close);
    return () => {
      open.splice(open.indexOf(close), 1);
      if (open.length === 0) document.removeEventListener('keydown', onKey);
    };
  }, [active]);
}
