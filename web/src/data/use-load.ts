import { useCallback, useEffect, useState } from 'react';
import { errorOf, type ApiError } from '../api/client';

/**
 * Loads something from the API whenever `key` changes (a search, a page); keeps the last answer while the
 * next one loads, and drops answers that arrive for an older key.
 */
export function useLoad<T>(load: () => Promise<T>, key: string) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [round, setRound] = useState(0);
  // What the shown answer was loaded for: while it differs from what is asked, a load is under way.
  const [answered, setAnswered] = useState<string | null>(null);
  const asked = `${key}|${round}`;
  useEffect(() => {
    let stale = false;
    load().then(
      (d) => {
        if (stale) return;
        setData(d);
        setError(null);
        setAnswered(asked);
      },
      (err: unknown) => {
        if (stale) return;
        setError(errorOf(err));
        setAnswered(asked);
      },
    );
    return () => {
      stale = true;
    };
    // `load` is a new closure each render; `key` says when what it loads has changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [asked]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, error, loading: answered !== asked, reload, setData };
}

/** A value that follows `value` after it has stopped changing for `ms` (search as you type). */
export function useDebounced<T>(value: T, ms = 250): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/** Runs a change against the API: `busy` while it runs, its error kept to show beside the action. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (change: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await change();
      return true;
    } catch (err) {
      setError(errorOf(err));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, clear: () => setError(null) };
}
