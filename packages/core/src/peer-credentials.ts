/**
 * Kernel-verified credentials of the process at the other end of a Unix socket.
 *
 * The kernel records who connected when the connection is made; no byte the
 * peer sends can change it. Node does not expose this, so the call goes
 * through koffi (an FFI package that ships prebuilt binaries) straight to
 * getsockopt(2) on the connection's file descriptor.
 */
import type { Socket } from 'node:net';
import type { PeerCredentials } from './enrich.js';

type GetSockOpt = (
  fd: number,
  level: number,
  name: number,
  value: Buffer,
  length: number[],
) => number;

export type PeerCredentialsReader = (socket: Socket) => PeerCredentials | undefined;

/** Linux, socket(7) and unix(7): SO_PEERCRED fills struct ucred { pid_t; uid_t; gid_t }. */
const LINUX_SOL_SOCKET = 1;
const LINUX_SO_PEERCRED = 17;
const LINUX_UCRED_BYTES = 12;

/**
 * macOS, <sys/un.h>: LOCAL_PEERCRED fills struct xucred { u_int cr_version;
 * uid_t cr_uid; short cr_ngroups; gid_t cr_groups[16] } (the groups start at
 * byte 12 after padding); LOCAL_PEERPID gives the pid separately.
 */
const DARWIN_SOL_LOCAL = 0;
const DARWIN_LOCAL_PEERCRED = 0x001;
const DARWIN_LOCAL_PEERPID = 0x002;
const DARWIN_XUCRED_BYTES = 76;
const DARWIN_XUCRED_UID_OFFSET = 4;
const DARWIN_XUCRED_GROUPS_OFFSET = 12;

export interface PeerCredentialsSupport {
  readonly read: PeerCredentialsReader;
  /** Why credentials cannot be read here, when they cannot. */
  readonly unavailable: string | undefined;
}

/** Load getsockopt once; on failure say why, and read nothing. */
export async function loadPeerCredentials(
  platform: NodeJS.Platform = process.platform,
): Promise<PeerCredentialsSupport> {
  const none = (why: string): PeerCredentialsSupport => ({
    read: () => undefined,
    unavailable: why,
  });
  if (platform !== 'linux' && platform !== 'darwin') {
    return none(`peer credentials are not supported on ${platform}`);
  }
  let getsockopt: GetSockOpt;
  try {
    const { default: koffi } = await import('koffi');
    const libc = koffi.load(platform === 'linux' ? 'libc.so.6' : 'libSystem.B.dylib');
    getsockopt = libc.func(
      'int getsockopt(int, int, int, _Out_ uint8_t *, _Inout_ uint32_t *)',
    ) as GetSockOpt;
  } catch (error) {
    return none(
      `peer credentials unavailable: cannot load getsockopt through koffi (${(error as Error).message})`,
    );
  }
  const read = platform === 'linux' ? linuxReader(getsockopt) : darwinReader(getsockopt);
  return { read, unavailable: undefined };
}

/** The descriptor behind a net.Socket: libuv's handle keeps it as `fd` on Unix. */
export function fileDescriptor(socket: Socket): number | undefined {
  const handle = (socket as unknown as { _handle?: { fd?: number } })._handle;
  return typeof handle?.fd === 'number' && handle.fd >= 0 ? handle.fd : undefined;
}

function linuxReader(getsockopt: GetSockOpt): PeerCredentialsReader {
  return (socket) => {
    const fd = fileDescriptor(socket);
    if (fd === undefined) return undefined;
    const ucred = Buffer.alloc(LINUX_UCRED_BYTES);
    const length = [LINUX_UCRED_BYTES];
    if (getsockopt(fd, LINUX_SOL_SOCKET, LINUX_SO_PEERCRED, ucred, length) !== 0) return undefined;
    const pid = ucred.readInt32LE(0);
    // pid 0: not a connected Unix socket (a TCP socket answers ENOPROTOOPT before that).
    if (pid <= 0) return undefined;
    return { pid, uid: ucred.readUInt32LE(4), gid: ucred.readUInt32LE(8) };
  };
}

function darwinReader(getsockopt: GetSockOpt): PeerCredentialsReader {
  return (socket) => {
    const fd = fileDescriptor(socket);
    if (fd === undefined) return undefined;
    const xucred = Buffer.alloc(DARWIN_XUCRED_BYTES);
    if (
      getsockopt(fd, DARWIN_SOL_LOCAL, DARWIN_LOCAL_PEERCRED, xucred, [DARWIN_XUCRED_BYTES]) !== 0
    ) {
      return undefined;
    }
    const pidBytes = Buffer.alloc(4);
    if (getsockopt(fd, DARWIN_SOL_LOCAL, DARWIN_LOCAL_PEERPID, pidBytes, [4]) !== 0) {
      return undefined;
    }
    return {
      pid: pidBytes.readInt32LE(0),
      uid: xucred.readUInt32LE(DARWIN_XUCRED_UID_OFFSET),
      gid: xucred.readUInt32LE(DARWIN_XUCRED_GROUPS_OFFSET),
    };
  };
}
