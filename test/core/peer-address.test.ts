import { endianness } from 'node:os';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { formatSockaddr, loadPeerAddress } from '@hook-observatory/core/internal/peer-address';

/** A Linux struct sockaddr_in: family in host order, then port and address in network order. */
function sockaddrIn(address: readonly number[]): Buffer {
  const bytes = Buffer.alloc(16);
  if (endianness() === 'LE') bytes.writeUInt16LE(2, 0);
  else bytes.writeUInt16BE(2, 0);
  bytes.writeUInt16BE(23518, 2);
  Buffer.from(address).copy(bytes, 4);
  return bytes;
}

/** A Linux struct sockaddr_in6 of eight 16-bit groups and a scope id. */
function sockaddrIn6(groups: readonly number[], scope = 0): Buffer {
  const bytes = Buffer.alloc(28);
  if (endianness() === 'LE') {
    bytes.writeUInt16LE(10, 0);
    bytes.writeUInt32LE(scope, 24);
  } else {
    bytes.writeUInt16BE(10, 0);
    bytes.writeUInt32BE(scope, 24);
  }
  bytes.writeUInt16BE(23518, 2);
  groups.forEach((group, index) => bytes.writeUInt16BE(group, 8 + index * 2));
  return bytes;
}

const interfaces = (index: number): string | undefined => (index === 2 ? 'eth0' : undefined);

/** What Node's remoteAddress says for the same peer (src/tcp_wrap.cc, AddressToJS, with inet_ntop). */
const CASES = [
  { name: 'ipv4-loopback', sockaddr: sockaddrIn([127, 0, 0, 1]), expected: '127.0.0.1' },
  { name: 'ipv4-other', sockaddr: sockaddrIn([192, 0, 2, 255]), expected: '192.0.2.255' },
  { name: 'ipv6-loopback', sockaddr: sockaddrIn6([0, 0, 0, 0, 0, 0, 0, 1]), expected: '::1' },
  {
    name: 'ipv6-ipv4-mapped',
    sockaddr: sockaddrIn6([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]),
    expected: '::ffff:127.0.0.1',
  },
  {
    name: 'ipv6-longest-zero-run-compressed',
    sockaddr: sockaddrIn6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]),
    expected: '2001:db8::1:0:0:1',
  },
  {
    name: 'ipv6-lower-case-hex',
    sockaddr: sockaddrIn6([0x2001, 0xdb8, 0xabcd, 0, 0, 0, 0, 0xef]),
    expected: '2001:db8:abcd::ef',
  },
  {
    name: 'ipv6-link-local-with-scope',
    sockaddr: sockaddrIn6([0xfe80, 0, 0, 0, 0, 0, 0, 1], 2),
    expected: 'fe80::1%eth0',
  },
  {
    name: 'ipv6-link-local-unknown-scope',
    sockaddr: sockaddrIn6([0xfe80, 0, 0, 0, 0, 0, 0, 1], 9),
    expected: 'fe80::1',
  },
  {
    name: 'ipv6-global-scope-ignored',
    sockaddr: sockaddrIn6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], 2),
    expected: '2001:db8::1',
  },
  {
    name: 'ipv4-truncated',
    sockaddr: sockaddrIn([127, 0, 0, 1]).subarray(0, 8),
    expected: undefined,
  },
  {
    name: 'unix-family',
    sockaddr: Buffer.from(endianness() === 'LE' ? [1, 0, 0, 0] : [0, 1, 0, 0]),
    expected: undefined,
  },
] as const;

describe('formatSockaddr', () => {
  it.each(CASES)('$name', ({ sockaddr, expected }) => {
    expect(formatSockaddr(sockaddr, interfaces)).toBe(expected);
  });
});

describe('loadPeerAddress', () => {
  it('elsewhere-than-linux-reads-node-alone-and-says-why', async () => {
    const support = await loadPeerAddress('darwin');
    expect(support.unavailable).toMatch(/not supported on darwin/);
    expect(support.read({ remoteAddress: '127.0.0.1' } as Socket)).toBe('127.0.0.1');
    expect(support.read({ remoteAddress: undefined } as Socket)).toBeUndefined();
  });

  it.runIf(process.platform === 'linux')('on-linux-it-loads', async () => {
    expect((await loadPeerAddress()).unavailable).toBeUndefined();
  });
});
