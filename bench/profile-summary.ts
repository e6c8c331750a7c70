/**
 * `node --import tsx bench/profile-summary.ts <file.cpuprofile> [top] [skip seconds]`: where a CPU profile's time
 * went (one written by `node --cpu-prof`, e.g. `BENCH_GATEWAY_CPU_PROF=<dir> npm run bench -- gateway`).
 * Self time per package (a dependency under node_modules, Node's own `node:` modules, this project's
 * top-level folders, and V8's garbage collector and program entries), then the `top` functions by
 * self time (25 by default), each with its package. Idle time is left out of the shares; the first
 * `skip` seconds (0 by default: the start, compiling TypeScript, before any load) too. A fourth
 * argument, a regular expression, lists the inclusive time (self and callees, counted once under
 * recursion) of the functions whose name and file match it: the phases of a request.
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const project = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** The package a frame's code belongs to. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  // Node's own modules, its bundled undici (fetch, Response, Headers) named apart.
  if (url.startsWith('node:internal/deps/')) return `node:internal/deps/${url.slice('node:internal/deps/'.length).split('/')[0]}`;
  if (url.startsWith('node:internal/')) return `node:internal/${url.slice('node:internal/'.length).split('/')[0]}`;
  if (url.startsWith('node:')) return url;
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = file.slice(modules + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const relative = file.startsWith(project) ? file.slice(project.length + 1) : file.replace(/^\/work\/(main|wt\/[^/]+)\//, '');
  return relative.includes('/') ? `project ${relative.split('/')[0]}/` : `project ${relative}`;
}

function main() {
  const [file, topArg, skipArg, phases] = process.argv.slice(2);
  const skipUs = Number(skipArg ?? 0) * 1e6;
  if (!file) throw new Error('usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top] [skip seconds]');
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // Self time per node from the samples and the time between them (microseconds).
  const self = new Map<number, number>();
  let at = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (at < skipUs) continue;
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, { pkg: string; us: number }>();
  let idle = 0;
  let busy = 0;
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id)!;
    if (callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    const pkg = packageOf(callFrame.url, callFrame.functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const where = callFrame.url ? `${path.basename(callFrame.url)}:${callFrame.lineNumber + 1}` : '';
    const key = `${callFrame.functionName || '(anonymous)'} ${where}`.trim();
    const entry = byFunction.get(key) ?? { pkg, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
  }
  const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
  const share = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)}%`;
  console.log(`${file}: ${ms(busy + idle).trim()} ms sampled, ${ms(busy).trim()} ms busy, ${ms(idle).trim()} ms idle\n`);
  console.log('Self time by package (share of busy time):');
  for (const [pkg, us] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${share(us)} ${ms(us)} ms  ${pkg}`);
  console.log(`\nTop ${Number(topArg ?? 25)} functions by self time:`);
  for (const [name, { pkg, us }] of [...byFunction].sort((a, b) => b[1].us - a[1].us).slice(0, Number(topArg ?? 25)))
    console.log(`  ${share(us)} ${ms(us)} ms  ${pkg.padEnd(28)} ${name}`);
  if (phases) inclusive(profile, self, new RegExp(phases), busy);
}

/** Inclusive time of the functions matching `pattern` (a function called within itself is counted once). */
function inclusive(profile: Profile, self: Map<number, number>, pattern: RegExp, busy: number) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const name = (node: ProfileNode) =>
    `${node.callFrame.functionName || '(anonymous)'} ${path.basename(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
  const totals = new Map<number, number>();
  const total = (node: ProfileNode): number => {
    const known = totals.get(node.id);
    if (known !== undefined) return known;
    let sum = self.get(node.id) ?? 0;
    for (const child of node.children ?? []) sum += total(byId.get(child)!);
    totals.set(node.id, sum);
    return sum;
  };
  const byName = new Map<string, number>();
  for (const node of profile.nodes) {
    const key = name(node);
    if (!pattern.test(key)) continue;
    let above = parent.get(node.id);
    while (above !== undefined && name(byId.get(above)!) !== key) above = parent.get(above);
    if (above === undefined) byName.set(key, (byName.get(key) ?? 0) + total(node));
  }
  console.log(`\nInclusive time of ${pattern}:`);
  for (const [key, us] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 30))
    console.log(`  ${((us / busy) * 100).toFixed(1).padStart(5)}% ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`);
}

main();
