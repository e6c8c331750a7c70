/**
 * Issue #20, finding 2: who the caller is, as the gateway and every subgraph decide it — the
 * rightmost address of x-forwarded-for that is not a trusted proxy; a header from an untrusted peer,
 * or what a client wrote before its proxy appended, is never believed.
 */
import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress, createProxyTrust, trustEntryProblem } from '../platform/client-address.ts';

function request(peer: string | undefined, forwardedFor?: string): http.IncomingMessage {
  return {
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  } as unknown as http.IncomingMessage;
}

const callerOf = (trusted: string[], peer: string | undefined, forwardedFor?: string) =>
  clientAddress(request(peer, forwardedFor), createProxyTrust(trusted));

describe('the caller behind proxies', () => {
  it('ignores the header of a peer it does not trust, however it is written', () => {
    expect(callerOf([], '127.0.0.1', '203.0.113.9')).toBe('127.0.0.1');
    expect(callerOf(['10.0.0.5'], '198.51.100.7', '203.0.113.9, 10.0.0.5')).toBe('198.51.100.7');
    expect(callerOf(['loopback'], '10.1.2.3', '203.0.113.9')).toBe('10.1.2.3');
  });

  it('takes what an appending proxy added, not what the client wrote before it', () => {
    // nginx: proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for — the client's own header, then its address.
    expect(callerOf(['10.0.0.5'], '10.0.0.5', '203.0.113.9, 198.51.100.7')).toBe('198.51.100.7');
    expect(callerOf(['10.0.0.5'], '10.0.0.5', '1.1.1.1, 2.2.2.2, 3.3.3.3, 198.51.100.7')).toBe('198.51.100.7');
  });

  it('walks through a chain of trusted proxies from the right', () => {
    expect(callerOf(['loopback', '10.0.0.0/8'], '127.0.0.1', '203.0.113.9, 198.51.100.7, 10.0.0.5')).toBe('198.51.100.7');
  });

  it('returns the leftmost address when every one is trusted', () => {
    expect(callerOf(['private'], '10.0.0.5', '192.168.1.20')).toBe('192.168.1.20');
  });

  it('believes only the proxies named: trusting every private address would let a client on the network forge', () => {
    // What `private` does: a client at 192.168.1.20 counts as a proxy, so what it wrote is believed…
    expect(callerOf(['private'], '172.20.0.3', '203.0.113.9, 192.168.1.20')).toBe('203.0.113.9');
    // …which is why a service trusts its own front proxy by name or address.
    expect(callerOf(['172.20.0.3'], '172.20.0.3', '203.0.113.9, 192.168.1.20')).toBe('192.168.1.20');
    expect(callerOf(['10.0.0.5'], '10.0.0.9', '203.0.113.9')).toBe('10.0.0.9');
  });

  it('reads an IPv4 peer of a dual-stack socket as the same IPv4 address', () => {
    expect(callerOf([], '::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(callerOf(['10.0.0.5'], '::ffff:10.0.0.5', '198.51.100.7')).toBe('198.51.100.7');
    expect(callerOf(['loopback'], '::1', '2001:db8::7')).toBe('2001:db8::7');
  });

  it('bounds what a trusted proxy passes on that is no address', () => {
    expect(callerOf(['loopback'], '127.0.0.1', 'x'.repeat(500))).toHaveLength(64);
    expect(callerOf(['loopback'], undefined, '203.0.113.9')).toBe('unknown');
  });

  it('names each kind of entry, and refuses what is none of them', () => {
    for (const entry of ['loopback', 'private', '10.0.0.5', '10.0.0.0/8', 'fd00::/8', '::1', 'gateway', 'proxy.internal.example']) {
      expect(trustEntryProblem(entry), entry).toBeNull();
    }
    for (const entry of ['10.0.0.0/33', '10.0.0.5/8/1', 'not a host', '*', 'gateway/8']) {
      expect(trustEntryProblem(entry), entry).toMatch(/./);
    }
    expect(() => createProxyTrust(['10.0.0.0/99'])).toThrow(/prefix length/);
  });

  it('trusts a host name by the addresses it resolves to', async () => {
    const trust = createProxyTrust(['localhost']);
    try {
      await trust.refresh();
      expect(clientAddress(request('127.0.0.1', '203.0.113.9'), trust)).toBe('203.0.113.9');
      expect(clientAddress(request('10.0.0.9', '203.0.113.9'), trust)).toBe('10.0.0.9');
    } finally {
      trust.close();
    }
  });
});
