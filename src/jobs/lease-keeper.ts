import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Config } from '../config.js';
import { attachDialect, type Db } from '../db/dialect.js';
import { openPostgres, postgresDialect } from '../db/postgres-dialect.js';
import { renewLeases, type RunLease } from '../imports/run-repository.js';

/**
 * Renews the leases of this worker's running imports every third of a lease, on a PostgreSQL connection of
 * its own: however long a batch's statement runs on the pool, the renewal does not queue behind it (and the
 * driver is asynchronous, so the timer fires while statements run). A run that is no longer this worker's
 * after a renewal, or every run once renewals have failed for a whole lease, is stopped through its
 * signal; fenced writes (`updateRun` with the lease) make sure it writes nothing more either way.
 */
export class LeaseKeeper {
  readonly lease: RunLease;
  private readonly db: Db;
  private readonly held = new Map<number, AbortController>();
  private timer: NodeJS.Timeout | undefined;
  private lastRenewal = Date.now();
  private renewing: Promise<void> | undefined;

  constructor(config: Config) {
    this.lease = { owner: `${os.hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`, ms: config.leaseMs };
    this.db = openPostgres(config.databaseUrl!, config, 1);
    attachDialect(this.db, postgresDialect);
  }

  start(): void {
    this.timer = setInterval(() => void this.renew(), Math.max(200, Math.floor(this.lease.ms / 3)));
  }

  /** Registers a run this worker has just claimed; the signal aborts when its lease is lost. */
  hold(runId: number): AbortSignal {
    const controller = new AbortController();
    this.held.set(runId, controller);
    return controller.signal;
  }

  release(runId: number): void {
    this.held.delete(runId);
  }

  /** One renewal of every held run (what the timer does); renewals never overlap. */
  renew(): Promise<void> {
    return (this.renewing ??= this.renewOnce().finally(() => (this.renewing = undefined)));
  }

  private async renewOnce(): Promise<void> {
    const asked = [...this.held.keys()];
    if (asked.length === 0) {
      this.lastRenewal = Date.now();
      return;
    }
    try {
      const kept = new Set(await renewLeases(this.db, this.lease));
      this.lastRenewal = Date.now();
      for (const id of asked) if (!kept.has(id) && this.held.has(id)) this.lose(id);
    } catch (err) {
      process.emitWarning(`lease renewal failed: ${(err as Error).message}`);
      if (Date.now() - this.lastRenewal > this.lease.ms) for (const id of asked) this.lose(id);
    }
  }

  private lose(runId: number): void {
    this.held.get(runId)?.abort();
    this.held.delete(runId);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
    await this.db.destroy();
  }
}
