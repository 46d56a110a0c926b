import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createToken } from '../../src/domain/tokens.js';
import type { Db } from '../../src/db/dialect.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/roster');

/** A `roster serve` process on a free loopback port, against a test database. */
export interface TestServer {
  url: string;
  process: ChildProcess;
  /** The server's data folder (ROSTER_DATA_DIR); its uploads wait in `uploads/` inside it. */
  dataDir: string;
  /** Everything the server wrote (JSON log lines) so far. */
  output(): string;
  /** Sends a signal (default SIGTERM) and waits for the process to exit; resolves to its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const dataDirs: string[] = [];
process.on('exit', () => dataDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-serve-'));
  dataDirs.push(dir);
  return dir;
}

/**
 * Starts `bin/roster serve --port 0` with the database environment `env` and waits until it listens.
 * A server without ROSTER_DATA_DIR (PostgreSQL) gets a temp data folder of its own, so its uploads never
 * land in the project's `data/` nor meet another test's; pass `{ ROSTER_DATA_DIR: first.dataDir }` to start
 * a second server on the same files.
 */
export function startServer(
  env: Record<string, string>,
  extraEnv: Record<string, string> = {},
  extraArgs: string[] = [],
): Promise<TestServer> {
  const dataDir = extraEnv.ROSTER_DATA_DIR || env.ROSTER_DATA_DIR || tempDataDir();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', ...extraArgs], {
    env: {
      ...process.env,
      ROSTER_WORKSPACE: '',
      ROSTER_LOG_LEVEL: 'warn',
      ...env,
      ...extraEnv,
      ROSTER_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`roster serve did not start within 30 s:\n${output}`));
    }, 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /Roster listening on (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          process: child,
          dataDir,
          output: () => output,
          stop: (signal = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`roster serve exited (${code}) before listening:\n${output}`));
    });
  });
}

/** A workspace API token for tests. */
export async function tokenFor(db: Db, workspaceId: number, name = 'test'): Promise<string> {
  return (await createToken(db, workspaceId, name)).token;
}

/** A small JSON client: a bearer token or a session cookie (+ CSRF token), JSON in and out. */
export class Api {
  cookie: string | undefined;
  csrf: string | undefined;

  constructor(
    readonly url: string,
    public token?: string,
  ) {}

  async request(method: string, route: string, body?: unknown, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { ...headers };
    if (this.token) h.authorization = `Bearer ${this.token}`;
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET') h['x-csrf-token'] = this.csrf;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      h['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(this.url + route, { method, headers: h, body: payload });
    const text = await res.text();
    let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  get(route: string) {
    return this.request('GET', route);
  }
  post(route: string, body?: unknown) {
    return this.request('POST', route, body);
  }
  patch(route: string, body?: unknown) {
    return this.request('PATCH', route, body);
  }
  delete(route: string) {
    return this.request('DELETE', route);
  }

  /** Signs in as a user; keeps the session cookie and CSRF token for later requests. */
  async signIn(email: string, password: string, workspace?: string) {
    const res = await this.post('/api/session', { email, password, ...(workspace ? { workspace } : {}) });
    const setCookie = res.headers.get('set-cookie');
    if (res.status === 200 && setCookie) {
      this.cookie = setCookie.split(';')[0];
      this.csrf = res.json.csrfToken;
    }
    return res;
  }

  /**
   * Uploads a CSV to start an import: text, bytes, or a Blob (`fs.openAsBlob(path)` streams a big file from
   * disk); `fields` are the form's options.
   */
  upload(
    kind: string,
    content: string | Uint8Array | Blob,
    fields: Record<string, string> = {},
    name = 'file.csv',
  ) {
    const form = new FormData();
    form.set('kind', kind);
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    form.set('file', content instanceof Blob ? content : new Blob([content as BlobPart]), name);
    return this.post('/api/imports', form);
  }

  /** Polls an import until it is no longer queued or running, and returns its detail. */
  async waitFor(id: string, timeoutMs = 60_000) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const res = await this.get(`/api/imports/${id}`);
      if (res.status !== 200) throw new Error(`GET /api/imports/${id}: ${res.status} ${res.text}`);
      if (res.json.status !== 'queued' && res.json.status !== 'running') return res.json;
      if (Date.now() > until) throw new Error(`import ${id} still ${res.json.status} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
