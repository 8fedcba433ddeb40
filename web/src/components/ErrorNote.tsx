import { describeError } from '../api.js';

/** An API failure as a person reads it: what failed, and what to do. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const { message, hint } = describeError(error);
  return (
    <div className="error" role="alert">
      <strong>{message}</strong>
      {hint ? <div className="hint">{hint}</div> : null}
    </div>
  );
}
