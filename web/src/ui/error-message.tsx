import type { ReactNode } from 'react';
import type { ApiError } from '../api/client';
import { hintForUi } from './format';

/** An error for people: what went wrong, how to fix it, and an action when there is one. */
export function ErrorMessage({
  error,
  title,
  children,
}: {
  error: ApiError;
  title?: string;
  children?: ReactNode;
}) {
  return (
    <div className="notice error" role="alert">
      <p>
        {title ? <strong>{title} </strong> : null}
        {error.message}
      </p>
      {error.hint ? <p className="hint">{hintForUi(error.hint)}</p> : null}
      {children}
    </div>
  );
}
