import { spawn } from 'node:child_process';
import path from 'node:path';

const BIN = path.resolve(import.meta.dirname, '../../bin/roster');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `roster` CLI as a subprocess against the given database environment; `input` is piped in. */
export function roster(
  args: string[],
  env: Record<string, string>,
  opts: { cwd?: string; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ROSTER_WORKSPACE: '', ...env },
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // Standard input is a pipe, never a terminal: closed at once unless `input` is given. A CLI that exits
    // without reading it (EPIPE) is not the test's failure.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * Runs the CLI in this process (src/, not dist/) with the same arguments and environment as `roster`, and
 * the same result: what it wrote to stdout and stderr and its exit status. Starting a Node process that
 * loads the whole CLI takes a second or more on a busy machine; tests that are not about the process
 * itself (signals, crashes, standard input, the built files) use this. Calls run one at a time.
 */
export async function rosterInProcess(args: string[], env: Record<string, string>): Promise<CliResult> {
  const { runCli } = await import('../../src/cli/program.js');
  const saved = { env: { ...process.env }, exitCode: process.exitCode };
  const out = { stdout: '', stderr: '' };
  const writers = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture = (stream: 'stdout' | 'stderr') =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      out[stream] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof process.stdout.write;
  Object.assign(process.env, { ROSTER_WORKSPACE: '' }, env);
  process.exitCode = undefined;
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  // Its stderr is a pipe, as a subprocess's is here: no progress bar.
  const tty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
  Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
  try {
    await runCli([process.execPath, BIN, ...args]);
    return { status: Number(process.exitCode ?? 0), ...out };
  } finally {
    process.stdout.write = writers.stdout;
    process.stderr.write = writers.stderr;
    if (tty) Object.defineProperty(process.stderr, 'isTTY', tty);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
    process.exitCode = saved.exitCode;
    for (const key of Object.keys(process.env)) if (!(key in saved.env)) delete process.env[key];
    Object.assign(process.env, saved.env);
  }
}
