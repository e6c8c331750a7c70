/**
 * CPU time from /proc, for the benchmarks that say where a request's CPU goes: a process's (with
 * the workers it forked), the benchmark's own, and the whole machine's. Unlike req/s, CPU per
 * request hardly moves with what else the machine is doing.
 */
import fs from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ; 100 on Linux). */
const TICKS = 100;

function statFields(pid: number): string[] | undefined {
  try {
    // The command name is in parentheses and may hold spaces: the fields start after its `) `.
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ');
  } catch {
    return undefined; // gone
  }
}

/** The pids and every process they forked (Hive Gateway forks a worker per core in production), from /proc. */
export function withDescendants(pids: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const parent = Number(statFields(pid)?.[1]);
    if (parent) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const all = new Set<number>();
  const visit = (pid: number) => {
    if (all.has(pid)) return;
    all.add(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  pids.forEach(visit);
  return [...all];
}

/** CPU seconds (user + system) the processes have used so far; a process gone counts nothing. */
export function cpuSeconds(pids: readonly (number | undefined)[]): number {
  let ticks = 0;
  for (const pid of pids) {
    if (!pid) continue;
    const fields = statFields(pid);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS;
}

/** CPU seconds the whole machine has been busy (every core; /proc/stat's first line less idle and iowait). */
export function machineBusySeconds(): number {
  const [, ...values] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = values.map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / TICKS;
}

/** This (the benchmark's) process's CPU seconds: its load generator. */
export function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}
