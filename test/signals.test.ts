/**
 * Issue #7: a SIGTERM always stops the process within the stop period — also when a request has
 * blocked the event loop, where the signal handler itself never gets to run.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('stopping a process whose event loop is blocked', () => {
  it('ends it within the stop period after SIGTERM (the watchdog thread), instead of never', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/blocked-loop.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', STOP_TIMEOUT_MS: '1500' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('blocking') && resolve()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    child.kill('SIGTERM');
    // Far longer than the stop period: a process that ignores the signal is still there then.
    const outcome = await Promise.race([
      exited,
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 10_000)),
    ]);
    if (outcome === 'still running') child.kill('SIGKILL');
    expect(outcome).toBe('SIGKILL');
    expect(stderr).toMatch(/event loop blocked for \d+ ms: stopping the process \(watchdog\)/);
  });
});
