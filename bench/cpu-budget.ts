/**
 * A CPU budget of its own for each subgraph replica in the scale-out figure, as a container has one
 * (`deploy.resources.limits.cpus` in docker-compose): a Linux control group per replica with a CPU
 * quota. On a machine whose every core is already busy with the client, the gateway, PostgreSQL and
 * the subgraphs, a second replica adds no CPU, only a process to switch between; with a budget per
 * replica, as replicas on machines or containers of their own have, a second replica brings a second
 * budget — which is what scaling out buys. Needs a writable cgroup hierarchy (v1 `cpu` controller
 * or v2 with `cpu` enabled), as root on this machine kind; elsewhere `open` answers null and the
 * benchmark says the figure was not taken.
 */
import fs from 'node:fs';
import path from 'node:path';

const PERIOD_US = 100_000;

interface Hierarchy {
  root: string;
  /** Sets the quota of a group, or lifts it (null). */
  quota(dir: string, cpus: number | null): void;
}

function hierarchy(): Hierarchy | null {
  const v2 = '/sys/fs/cgroup';
  if (fs.existsSync(path.join(v2, 'cgroup.controllers'))) {
    try {
      if (!fs.readFileSync(path.join(v2, 'cgroup.subtree_control'), 'utf8').includes('cpu'))
        fs.writeFileSync(path.join(v2, 'cgroup.subtree_control'), '+cpu');
    } catch {
      return null;
    }
    return {
      root: v2,
      quota: (dir, cpus) =>
        fs.writeFileSync(path.join(dir, 'cpu.max'), cpus === null ? `max ${PERIOD_US}` : `${Math.round(cpus * PERIOD_US)} ${PERIOD_US}`),
    };
  }
  const v1 = '/sys/fs/cgroup/cpu';
  if (fs.existsSync(path.join(v1, 'cpu.cfs_quota_us'))) {
    return {
      root: v1,
      quota: (dir, cpus) => {
        fs.writeFileSync(path.join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
        fs.writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), cpus === null ? '-1' : String(Math.round(cpus * PERIOD_US)));
      },
    };
  }
  return null;
}

export interface CpuBudgets {
  /** Puts a process in a group of its own (no limit until `limit`). */
  add(name: string, pid: number): void;
  /** Gives every group (or only those of the processes `names`) `cpus` CPUs (0.25: a quarter of one core), or lifts the limit (null). */
  limit(cpus: number | null, names?: readonly string[]): void;
  /** Removes the groups (their processes must have exited). */
  remove(): void;
}

/** Budgets under `prefix`, or null where this process may not create control groups. */
export function openCpuBudgets(prefix: string): CpuBudgets | null {
  const h = hierarchy();
  if (!h) return null;
  const probe = path.join(h.root, `${prefix}-probe`);
  try {
    fs.mkdirSync(probe, { recursive: true });
    h.quota(probe, null);
    fs.rmdirSync(probe);
  } catch {
    return null;
  }
  const dirs: string[] = [];
  const dirOf = (name: string) => path.join(h.root, `${prefix}-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`);
  return {
    add(name, pid) {
      const dir = dirOf(name);
      fs.mkdirSync(dir, { recursive: true });
      h.quota(dir, null);
      fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
      dirs.push(dir);
    },
    limit(cpus, names) {
      const only = names?.map(dirOf);
      for (const dir of dirs) if (!only || only.includes(dir)) h.quota(dir, cpus);
    },
    remove() {
      for (const dir of dirs.splice(0)) {
        try {
          fs.rmdirSync(dir);
        } catch {
          // a process still inside: the group goes with the machine
        }
      }
    },
  };
}
