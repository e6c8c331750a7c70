/**
 * Who is really calling — the one rule of the gateway and of every subgraph, for the limits on
 * anonymous callers (好差评, objections).
 *
 * The socket's peer is the caller unless it is a proxy this service trusts; then the proxy's
 * `x-forwarded-for` is read from the right — each proxy appends the address it was called from —
 * and the first address that is not a trusted proxy is the caller. Whatever a client writes into the
 * header itself stays to the left of what its proxy appended, so it is never believed: the rule of
 * proxy-addr (jshttp, the one Express and Fastify apply), which does the walking and the address
 * arithmetic here.
 *
 * A trust list names `loopback`, `private` (loopback and the private ranges), addresses, CIDR ranges
 * (`10.0.0.0/8`) and host names (`gateway`: a compose service; resolved at start and every 10 s, as
 * a container's address changes when it is recreated).
 */
import dns from 'node:dns/promises';
import type http from 'node:http';
import net from 'node:net';
import proxyaddr from 'proxy-addr';

export interface ProxyTrust {
  /** The entries as configured (for the start log). */
  readonly entries: readonly string[];
  /** Whether a peer with this address may say whom it forwards for. */
  trusts(address: string): boolean;
  /** Resolves the host names of the list again (done every 10 s while any is named). */
  refresh(): Promise<void>;
  /** Stops re-resolving host names. */
  close(): void;
}

const NAMED_RANGES: Record<string, string[]> = {
  loopback: ['loopback'],
  private: ['loopback', 'uniquelocal'],
};

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const REFRESH_MS = 10_000;

/** Why an entry of a trust list cannot be used, or null. */
export function trustEntryProblem(entry: string): string | null {
  if (NAMED_RANGES[entry]) return null;
  const [address, bits, ...rest] = entry.split('/');
  const family = net.isIP(address ?? '');
  if (family) {
    if (rest.length) return `"${entry}" is not an address or a range`;
    if (bits === undefined) return null;
    const max = family === 4 ? 32 : 128;
    return /^\d{1,3}$/.test(bits) && Number(bits) <= max ? null : `"${entry}": a range needs a prefix length from 0 to ${max}`;
  }
  if (entry.includes('/')) return `"${entry}" is not an address or a range`;
  return HOST_NAME.test(entry) ? null : `"${entry}" is neither loopback, private, an address, a range nor a host name`;
}

/** `::ffff:10.0.0.7` (an IPv4 peer on a dual-stack socket) is `10.0.0.7`: one caller, one key. */
function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(address);
  return mapped?.[1] ?? address;
}

export function createProxyTrust(entries: readonly string[]): ProxyTrust {
  for (const entry of entries) {
    const problem = trustEntryProblem(entry);
    if (problem) throw new Error(`trusted proxies: ${problem}`);
  }
  const ranges = entries.flatMap((entry) => NAMED_RANGES[entry] ?? (net.isIP(entry.split('/')[0] ?? '') ? [entry] : []));
  const inRanges = ranges.length ? proxyaddr.compile(ranges) : () => false;
  const names = entries.filter((entry) => !NAMED_RANGES[entry] && !net.isIP(entry.split('/')[0] ?? ''));
  let resolved = new Set<string>();
  const refresh = async () => {
    if (!names.length) return;
    const next = new Set<string>();
    for (const name of names) {
      try {
        for (const { address } of await dns.lookup(name, { all: true })) next.add(plainAddress(address));
      } catch {
        // Not resolvable now (its container is being recreated, say): keep what it resolved to before.
        for (const address of resolved) next.add(address);
      }
    }
    resolved = next;
  };
  const timer = names.length ? setInterval(() => void refresh(), REFRESH_MS) : undefined;
  timer?.unref();
  void refresh();
  return {
    entries,
    trusts: (address) => inRanges(address, 0) || (resolved.size > 0 && resolved.has(plainAddress(address))),
    refresh,
    close: () => clearInterval(timer),
  };
}

/**
 * The caller of a request: the rightmost address of [peer, …x-forwarded-for] that `trust` does not
 * trust — or the leftmost when every one of them is trusted.
 */
export function clientAddress(req: http.IncomingMessage, trust: ProxyTrust): string {
  if (!req.socket.remoteAddress) return 'unknown';
  const address = proxyaddr(req, (candidate) => trust.trusts(candidate)) ?? 'unknown';
  // A trusted proxy may still pass on an entry that is no address at all: bounded, it is only a key.
  return plainAddress(address.trim()).slice(0, 64);
}
