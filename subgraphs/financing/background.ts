/**
 * The financing slice's work beside the requests (platform/http.ts `background`: started with the
 * service, stopped before it closes): the sweep that returns lapsed holds to the pool.
 *
 * A holder that lets its contact or decision limit pass unmet loses the demand
 * (use-cases/limits.ts `returnLapsedHolds`). Requests still return the one demand they act on or
 * show, and the lists return what they would list; the sweep returns the rest — a demand nobody
 * reads goes back to the pool within a minute of its due time instead of when someone next looks —
 * and keeps the requests' own look cheap (nothing lapsed to find). It runs once a minute of the
 * platform's clock (a moved test clock moves it, as the issues slice's deadline sweep), polling the
 * clock every `pollMs`; each pass returns up to 100 holds and the sweep goes on while passes return
 * some. Safe with several replicas sweeping at once: each demand is returned in a transaction of its
 * own that locks it `SKIP LOCKED` and judges it again once locked.
 */
import type { WorkingCalendar, OfficeHours } from '../../platform/calendar.ts';
import type { Logger } from '../../platform/log.ts';
import type { Db } from '../../db/client.ts';
import { returnLapsedHolds } from './use-cases/limits.ts';

/** The sweep runs when the platform's clock has moved this far since its last run. */
export const SWEEP_EVERY_MS = 60_000;
/** Passes of one sweep at most (100 holds each); a longer backlog waits for the next minute. */
const PASSES = 50;

export interface LapseSweeperOptions {
  db: Db;
  now(): Date;
  officeHours: OfficeHours;
  /** The platform's calendar copy (asked before any transaction, only when something lapsed). */
  calendar(): Promise<WorkingCalendar>;
  /** How often the platform's clock is looked at. */
  pollMs: number;
  logger: Logger;
}

export interface LapseSweeper {
  start(): void;
  /** Stops polling and waits for the sweep in flight to finish. */
  stop(): Promise<void>;
  /** One look at the clock: sweeps when a minute of it has passed since the last sweep; answers how many holds it returned. */
  runOnce(): Promise<number>;
}

export function createLapseSweeper(options: LapseSweeperOptions): LapseSweeper {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;
  /** Set by `stop()`: a sweep in flight ends after its pass. */
  let stopping = false;
  let lastSweep: number | undefined;

  async function sweep(now: Date): Promise<number> {
    // One instant for the whole sweep, as a request has: every hold returned is dated `now`.
    let calendar: Promise<WorkingCalendar> | undefined;
    const deps = {
      db: options.db,
      now: () => now,
      officeHours: options.officeHours,
      workingCalendar: () => (calendar ??= options.calendar()),
    };
    let returned = 0;
    for (let pass = 0; pass < PASSES && !stopping; pass++) {
      const done = await returnLapsedHolds(deps);
      returned += done;
      if (!done) break;
    }
    return returned;
  }

  async function runOnce(): Promise<number> {
    const now = options.now();
    if (lastSweep !== undefined && Math.abs(now.getTime() - lastSweep) < SWEEP_EVERY_MS) return 0;
    lastSweep = now.getTime();
    return sweep(now);
  }

  function schedule(delayMs: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce()
        .catch((error: unknown) => {
          if (!stopped) options.logger.error({ err: error, slice: 'financing' }, 'financing: 超时退回出错 / lapsed holds sweep failed');
        })
        .finally(() => schedule(options.pollMs));
    }, delayMs);
    timer.unref();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      stopping = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      stopping = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => {});
    },
    runOnce: () => runOnce(),
  };
}
