import { useEffect, useState } from 'react';

/**
 * A value once it has stopped changing for `ms` (typing in a field): background lookups follow it, not every
 * keystroke. The first value is settled at once.
 */
export function useSettled<T>(value: T, ms: number, same: (a: T, b: T) => boolean = Object.is): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    if (same(settled, value)) return;
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  });
  return settled;
}
