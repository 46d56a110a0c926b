/** One way to call the HTTP API: the session cookie, the CSRF token on every change, errors as ApiError. */

/** An error answer of the API ({error: {code, message, hint}}), or a request that got no answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onSignedOut: (() => void) | null = null;

/** The signed-in session's CSRF token, sent in X-CSRF-Token with every request that is not a GET. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request is refused because the session has ended (expired, or signed out elsewhere). */
export function setSignedOutHandler(handler: (() => void) | null): void {
  onSignedOut = handler;
}

const NO_ANSWER = new ApiError(
  0,
  'no_answer',
  'Roster does not answer.',
  'Check your connection and that `roster serve` is running, then try again.',
);

/** Sends a JSON request; resolves to the JSON answer (undefined for 204), or throws an ApiError. */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw NO_ANSWER;
  }
  const text = await res.text();
  const json = parseJson(text);
  if (!res.ok) throw toError(res.status, json, path);
  return json as T;
}

/**
 * Posts a multipart form with XMLHttpRequest, since fetch cannot report upload progress; `onProgress`
 * gets the fraction sent (0 to 1).
 */
export function postForm<T>(path: string, form: FormData, onProgress?: (sent: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(NO_ANSWER);
    xhr.onload = () => {
      const json = parseJson(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) resolve(json as T);
      else reject(toError(xhr.status, json, path));
    };
    xhr.send(form);
  });
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toError(status: number, json: unknown, path: string): ApiError {
  const error = (json as { error?: { code?: string; message?: string; hint?: string } } | undefined)?.error;
  // A 401 on any route but the session's own means the session is gone: back to the sign-in form.
  if (status === 401 && !path.startsWith('/api/session')) onSignedOut?.();
  if (error?.message) return new ApiError(status, error.code ?? 'error', error.message, error.hint);
  if (status === 413)
    return new ApiError(status, 'file_too_large', 'The file is larger than the server accepts.');
  return new ApiError(status, 'error', `The server answered ${status} and said nothing more.`);
}

/** A message for people from anything thrown. */
export function errorOf(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(0, 'error', err instanceof Error ? err.message : String(err));
}
