import type { ReactNode } from 'react';

/** A result area with nothing to show says why and what to do, so it never looks like loading or a blank grid. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state" role="status">
      <strong>{title}</strong>
      {children ? <p>{children}</p> : null}
    </div>
  );
}
