/**
 * The address of a TCP peer, also when it reset the connection before the
 * server accepted it.
 *
 * Node reads socket.remoteAddress with getpeername(2), which answers ENOTCONN
 * once the kernel has closed the socket: a client that sends its hook and
 * resets at once leaves it undefined, though its bytes are still read and its
 * event recorded. Linux keeps the peer's address on the closed socket and
 * gives it through getsockopt(SO_PEERNAME), which skips that state check
 * (net/ipv4/af_inet.c, inet_getname with peer 2). The call goes through koffi,
 * as for peer credentials (peer-credentials.ts).
 */
import { endianness } from 'node:os';
import { SocketAddress, type Socket } from 'node:net';
import { fileDescriptor } from './peer-credentials.js';

type GetSockOpt = (
  fd: number,
  level: number,
  name: number,
  value: Buffer,
  length: number[],
) => number;
type InterfaceName = (index: number, name: Buffer) => unknown;

export type PeerAddressReader = (socket: Socket) => string | undefined;

export interface PeerAddressSupport {
  readonly read: PeerAddressReader;
  /** Why a reset peer's address cannot be read here, when it cannot. */
  readonly unavailable: string | undefined;
}

/** Linux, socket(7): SO_PEERNAME fills a struct sockaddr. */
const LINUX_SOL_SOCKET = 1;
const LINUX_SO_PEERNAME = 28;
/** <bits/socket.h> address families, and the sizes of their struct sockaddr_in and sockaddr_in6. */
const LINUX_AF_INET = 2;
const LINUX_AF_INET6 = 10;
const SOCKADDR_IN_BYTES = 16;
const SOCKADDR_IN6_BYTES = 28;
/** <net/if.h>: an interface's name and its NUL. */
const IF_NAMESIZE = 16;

/**
 * Read the peer's address as Node does, and where Node has lost it, with
 * SO_PEERNAME. Loaded once; elsewhere than on Linux, or when koffi cannot
 * load, the reader is socket.remoteAddress alone, and says why.
 */
export async function loadPeerAddress(
  platform: NodeJS.Platform = process.platform,
): Promise<PeerAddressSupport> {
  const nodeOnly = (why: string): PeerAddressSupport => ({
    read: (socket) => socket.remoteAddress,
    unavailable: why,
  });
  if (platform !== 'linux') return nodeOnly(`SO_PEERNAME is not supported on ${platform}`);
  let getsockopt: GetSockOpt;
  let interfaceName: InterfaceName;
  try {
    const { default: koffi } = await import('koffi');
    const libc = koffi.load('libc.so.6');
    getsockopt = libc.func(
      'int getsockopt(int, int, int, _Out_ uint8_t *, _Inout_ uint32_t *)',
    ) as GetSockOpt;
    interfaceName = libc.func(
      'void *if_indextoname(unsigned int, _Out_ uint8_t *)',
    ) as InterfaceName;
  } catch (error) {
    return nodeOnly(`cannot load getsockopt through koffi (${(error as Error).message})`);
  }
  const nameOf = (index: number): string | undefined => {
    const name = Buffer.alloc(IF_NAMESIZE);
    return interfaceName(index, name) === null
      ? undefined
      : name.toString('latin1', 0, name.indexOf(0));
  };
  const read: PeerAddressReader = (socket) => {
    const known = socket.remoteAddress;
    if (known !== undefined) return known;
    const fd = fileDescriptor(socket);
    if (fd === undefined) return undefined;
    // The kernel refuses (EINVAL) a buffer longer than the address it holds
    // (net/core/sock.c, sk_getsockopt: "if (lv < len)"): ask for IPv6's size, then IPv4's.
    for (const size of [SOCKADDR_IN6_BYTES, SOCKADDR_IN_BYTES]) {
      const sockaddr = Buffer.alloc(size);
      if (getsockopt(fd, LINUX_SOL_SOCKET, LINUX_SO_PEERNAME, sockaddr, [size]) === 0) {
        return formatSockaddr(sockaddr, nameOf);
      }
    }
    return undefined;
  };
  return { read, unavailable: undefined };
}

/**
 * A Linux struct sockaddr_in or sockaddr_in6 as Node writes remoteAddress:
 * dotted IPv4; IPv6 compressed by inet_ntop (SocketAddress formats it the
 * same way), with `%interface` after a link-local address that has a scope
 * (src/tcp_wrap.cc, AddressToJS). Undefined for any other family.
 */
export function formatSockaddr(
  sockaddr: Buffer,
  interfaceName: (index: number) => string | undefined,
): string | undefined {
  // sa_family_t is in host order; the port and address are in network order.
  const family = endianness() === 'LE' ? sockaddr.readUInt16LE(0) : sockaddr.readUInt16BE(0);
  if (family === LINUX_AF_INET && sockaddr.length >= SOCKADDR_IN_BYTES) {
    return [...sockaddr.subarray(4, 8)].join('.');
  }
  if (family !== LINUX_AF_INET6 || sockaddr.length < SOCKADDR_IN6_BYTES) return undefined;
  const groups = Array.from({ length: 8 }, (_, index) =>
    sockaddr.readUInt16BE(8 + index * 2).toString(16),
  );
  const address = new SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address;
  const scope = endianness() === 'LE' ? sockaddr.readUInt32LE(24) : sockaddr.readUInt32BE(24);
  // fe80::/10, IN6_IS_ADDR_LINKLOCAL.
  const linkLocal = sockaddr[8] === 0xfe && ((sockaddr[9] as number) & 0xc0) === 0x80;
  const name = linkLocal && scope > 0 ? interfaceName(scope) : undefined;
  return name === undefined ? address : `${address}%${name}`;
}
