/**
 * Graceful shutdown: finish in-flight requests, close the database, then exit — always within the
 * stop period. A second signal forces it.
 *
 * A signal is handled on the event loop; a loop that something keeps busy never sees it. So a
 * watchdog thread watches the loop's heartbeat: a loop that has not beaten for the whole stop period
 * is not serving anybody (its /health does not answer either), and the watchdog ends the process, so
 * that a SIGTERM — or the supervisor restarting an unhealthy service — is never ignored.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from './log.ts';

export interface StopOptions {
  /** The process is gone within this, whatever happens. */
  stopTimeoutMs: number;
}

const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const beat = new BigInt64Array(workerData.heartbeat);
setInterval(() => {
  const silent = Date.now() - Number(Atomics.load(beat, 0));
  if (silent > workerData.limitMs) {
    fs.writeSync(2, JSON.stringify({ level: 60, time: Date.now(), msg: 'event loop blocked for ' + silent + ' ms: stopping the process (watchdog)' }) + '\\n');
    process.kill(process.pid, 'SIGKILL');
  }
}, Math.min(500, workerData.limitMs / 4));
`;

/**
 * Starts the watchdog thread. It keeps nothing alive (unref) and costs one timer a second on the loop.
 */
function startWatchdog(limitMs: number): () => void {
  const heartbeat = new SharedArrayBuffer(8);
  const beat = new BigInt64Array(heartbeat);
  const tick = () => Atomics.store(beat, 0, BigInt(Date.now()));
  tick();
  const timer = setInterval(tick, Math.min(500, limitMs / 4));
  timer.unref();
  const worker = new Worker(WATCHDOG, { eval: true, workerData: { heartbeat, limitMs } });
  worker.unref();
  return () => {
    clearInterval(timer);
    void worker.terminate();
  };
}

export function stopOnSignals(stop: () => Promise<void>, logger: Logger, options: StopOptions): void {
  startWatchdog(options.stopTimeoutMs);
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, `${signal}: stopping…`);
    // The loop runs but something does not finish (a connection that will not close): give up on it.
    setTimeout(() => {
      logger.error(`未能在 ${options.stopTimeoutMs} 毫秒内停止 / not stopped within ${options.stopTimeoutMs} ms: exiting`);
      logger.flush?.();
      process.exit(1);
    }, options.stopTimeoutMs).unref();
    stop().then(
      () => {
        logger.info('已停止 / stopped cleanly');
        logger.flush?.();
        process.exit(0);
      },
      (error: unknown) => {
        logger.fatal({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
