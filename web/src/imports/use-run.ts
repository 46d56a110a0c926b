import { useCallback, useEffect, useState } from 'react';
import { errorOf, type ApiError } from '../api/client';
import { getRun } from '../api/roster';
import { isFinished, type RunDetail } from '../api/types';

const POLL_MS = 400;

/**
 * A run, polled until it has finished (then its report is in it). `reload` fetches it once more, after an
 * action such as undo changed it.
 */
export function useRun(id: string | null): {
  run: RunDetail | null;
  error: ApiError | null;
  reload: () => void;
} {
  const [run, setRun] = useState<RunDetail | null>(null);
  const [failure, setFailure] = useState<{ id: string; error: ApiError } | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    if (!id) return;
    let stopped = false;
    let timer: number | undefined;
    const poll = async () => {
      try {
        const next = await getRun(id);
        if (stopped) return;
        setRun(next);
        setFailure(null);
        if (!isFinished(next)) timer = window.setTimeout(() => void poll(), POLL_MS);
      } catch (err) {
        if (stopped) return;
        const e = errorOf(err);
        setFailure({ id, error: e });
        // A lost connection is retried; an answer such as 404 is final.
        if (e.status === 0) timer = window.setTimeout(() => void poll(), POLL_MS * 5);
      }
    };
    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [id, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  // Answers about another id (the one shown before) are not this run's.
  return {
    run: run?.id === id ? run : null,
    error: failure?.id === id ? failure.error : null,
    reload,
  };
}
