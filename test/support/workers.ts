import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BIN = path.resolve(import.meta.dirname, '../../bin/roster');

/** A `roster worker` process (PostgreSQL), with a data folder of its own unless one is given. */
export interface TestWorker {
  process: ChildProcess;
  output(): string;
  /** Sends a signal (default SIGTERM) and waits for the process to exit; resolves to its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `bin/roster worker` against the database of `env` and waits until it takes jobs. */
export function startWorker(
  env: Record<string, string>,
  extraEnv: Record<string, string> = {},
): Promise<TestWorker> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-worker-'));
  const child = spawn(process.execPath, [BIN, 'worker'], {
    env: { ...process.env, ROSTER_LOG_LEVEL: 'warn', ROSTER_DATA_DIR: dataDir, ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      resolve(code);
    }),
  );
  const worker: TestWorker = {
    process: child,
    output: () => output,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`roster worker did not start within 30 s:\n${output}`));
    }, 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('Roster worker waiting for imports')) {
        clearTimeout(timer);
        resolve(worker);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`roster worker exited (${code}) before it was ready:\n${output}`));
    });
  });
}
