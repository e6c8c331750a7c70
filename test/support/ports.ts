/**
 * Ports for the platforms the tests start. Not the kernel's `listen(0)`: that hands out a port of the
 * ephemeral range (32768–60999 on Linux), which the same kernel also gives, a moment later, to any
 * outgoing connection of the parallel test files (a PostgreSQL client, a fetch) — the child
 * platform, binding a second or two after the port was found free, then finds it taken (seen in CI:
 * "Port 39461 is already in use"). Here each vitest worker takes its ports from a block of its own
 * below the ephemeral range, in turn, and checks each one is free before handing it out.
 */
import net from 'node:net';

const FIRST = 10_000;
const BLOCK = 1_000;
const WORKERS = 22; // 10,000 + 22 × 1,000 = 32,000: below the ephemeral range.

const worker = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 1) % WORKERS;
const blockStart = FIRST + worker * BLOCK;
let next = Math.floor(Math.random() * BLOCK);

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port of this worker's block. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < BLOCK; tries++) {
    const port = blockStart + (next++ % BLOCK);
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port in ${blockStart}–${blockStart + BLOCK - 1}`);
}

/**
 * A PORT_OFFSET under which the default ports (4000 and the slices' 4001…, `count` of them in all)
 * are all free: the platform's own defaults moved into this worker's block.
 */
export async function freePortOffset(count: number): Promise<number> {
  for (let tries = 0; tries < BLOCK; tries++) {
    const first = blockStart + (next % (BLOCK - count));
    next += count;
    const all = await Promise.all(Array.from({ length: count }, (_, index) => isFree(first + index)));
    if (all.every(Boolean)) return first - 4000;
  }
  throw new Error(`no ${count} free ports in ${blockStart}–${blockStart + BLOCK - 1}`);
}
