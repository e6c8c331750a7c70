/**
 * The first hour (issue #21, items 12 and 13): a start that cannot go on says so in one line of
 * Chinese and English with what to do, and exit code 1 — never a stack trace; and a cold start says
 * what it is doing, step by step with its time, instead of being silent for half a minute.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { slices } from '../subgraphs/registry.ts';
import { freePortOffset } from './support/ports.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), LOG_FORMAT: 'json', APOLLO_TELEMETRY_DISABLED: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at \S+ \(|Error:.*\n\s+at /);

/** The platform's default ports (4000 and one per slice) moved where they are all free. */
const freePortRange = () => freePortOffset(slices.length + 1);

describe('a start that cannot go on', () => {
  it('names the port in use and PORT_OFFSET, after saying step by step how the cold start went', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qd-port-'));
    const offset = await freePortRange();
    const gatewayPort = 4000 + offset;
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(gatewayPort, '127.0.0.1', resolve));
    try {
      const result = await run('bin/start.ts', [], { DATA_DIR: dataDir, PORT_OFFSET: String(offset), LOAD_SAMPLE_DATA: 'false' });
      expect(result.code).toBe(1);
      const last = result.stderr.trim().split('\n').at(-1)!;
      expect(last).toContain(`端口 ${gatewayPort} 已被占用`);
      expect(last).toContain(`Port ${gatewayPort} is already in use`);
      expect(last).toContain('PORT_OFFSET');
      noStack(result.stderr);
      // The cold start said what it did before it met the port: the database, then every slice's migrations.
      const steps = result.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { msg: string; step?: string; slice?: string; seconds?: number });
      expect(steps.some((line) => line.msg.includes('打开数据库 / database opened'))).toBe(true);
      const migrations = steps.filter((line) => line.step === 'migrations');
      expect(migrations.map((line) => line.slice)).toEqual(slices.map((slice) => slice.name));
      for (const line of migrations) expect(line.seconds).toBeGreaterThanOrEqual(0);
      expect(steps.some((line) => line.step === 'reference data')).toBe(true);
    } finally {
      blocker.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('says which process holds the embedded database’s folder, and what to do', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qd-held-'));
    // This test's own process is alive: it stands for another copy of the platform.
    fs.writeFileSync(path.join(dataDir, 'embedded.pid'), String(process.pid));
    try {
      const result = await run('bin/start.ts', [], { DATA_DIR: dataDir, PORT_OFFSET: String(await freePortRange()) });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toMatch(
        new RegExp(`正被进程 ${process.pid} 使用.*/ The embedded database .* is in use by process ${process.pid}: .*DATA_DIR`),
      );
      noStack(result.stderr);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses a setting out of range in one line, for the platform and for one subgraph alone', async () => {
    for (const [file, args] of [
      ['bin/start.ts', []],
      ['bin/subgraph.ts', ['units']],
    ] as const) {
      const result = await run(file, [...args], {
        MAX_QUERY_DEPTH: '2',
        DEVELOPMENT_MODE: 'true',
        PORT_OFFSET: String(await freePortRange()),
      });
      expect(result.code, file).toBe(1);
      expect(result.stderr.trim(), file).toMatch(/^配置有误.* \/ Configuration error: MAX_QUERY_DEPTH must be at least 5/);
      noStack(result.stderr);
    }
  }, 60_000);

  it('names the subgraphs there are when start:subgraph is given none or an unknown one', async () => {
    const result = await run('bin/subgraph.ts', ['nosuch'], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `请指明要启动的子图 / name the subgraph to start: npm run start:subgraph -- <${slices.map((slice) => slice.name).join('|')}>`,
    );
    expect(result.stderr).toContain('"nosuch"');
  }, 60_000);
});
