import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Gives the calling thread a nice value, so that on a busy machine the HTTP server's event loop gets the CPU
 * before the import worker thread does (reads stay quick while an import runs; the import takes what is left).
 *
 * Linux keeps a nice value per thread, and setpriority(2) with a thread id sets that thread's alone. Node has
 * no gettid(), so the id is read from /proc/thread-self. Elsewhere (or with /proc unmounted) nothing changes
 * and false is returned: the import then runs at the server's priority, as it did before.
 */
export function niceThisThread(nice: number): boolean {
  if (nice === 0 || process.platform !== 'linux') return false;
  try {
    const tid = Number(path.basename(fs.readlinkSync('/proc/thread-self')));
    if (!Number.isInteger(tid) || tid <= 0) return false;
    os.setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
