/**
 * Lesson 0: a server, and the bytes a client sends it. No HTTP yet.
 *
 * node:net hands us each connection a client opens (`createServer`) once we
 * ask the kernel for a port (`listen`). TCP delivers the client's bytes in
 * pieces of its own choosing, and each piece comes to the 'data' handler as it
 * arrives: we print every piece on its own, with \r and \n spelled out. When
 * an empty line has arrived (the end of an HTTP request's head) we write one
 * fixed answer, whatever was asked, and close. Lesson 1 reads what was asked.
 *
 *   pnpm -s lesson 0 --port 8787
 *   curl -s http://127.0.0.1:8787/hook     (prints: hello from lesson 0)
 */
import { createServer, type AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

/** The empty line after the head: CR LF ends the last header line, CR LF again ends the head. */
const HEAD_END = Buffer.from('\r\n\r\n');
const BODY = 'hello from lesson 0\n';
const ANSWER =
  `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n` +
  `Content-Length: ${Buffer.byteLength(BODY)}\r\nConnection: close\r\n\r\n${BODY}`;

let port: number;
try {
  port = Number(parseArgs({ options: { port: { type: 'string', default: '8787' } } }).values.port);
} catch {
  port = Number.NaN;
}
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write('usage: pnpm -s lesson 0 [--port P]\n');
  process.exit(2);
}

let connections = 0;
const server = createServer((socket) => {
  const connection = ++connections;
  let reads = 0;
  let received = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    reads++;
    process.stdout.write(
      `-- connection ${connection}, read ${reads}: ${chunk.length} bytes\n${shown(chunk)}`,
    );
    if (received.includes(HEAD_END)) return; // answered already
    received = Buffer.concat([received, chunk]);
    if (received.includes(HEAD_END)) socket.end(ANSWER);
  });
  socket.on('end', () =>
    process.stdout.write(`-- connection ${connection}: the client closed its side\n`),
  );
  socket.on('error', () => socket.destroy());
});

/** The bytes as text (latin1: a character per byte), each \r and \n spelled out, ending a line. */
function shown(bytes: Buffer): string {
  return bytes
    .toString('latin1')
    .replaceAll('\r', '\\r')
    .replaceAll('\n', '\\n\n')
    .replace(/\n?$/, '\n');
}

// A port another program holds: one line and exit 1, as the servers do (core's EXIT_START_FAILED).
server.on('error', (error: NodeJS.ErrnoException) => {
  const why =
    error.code === 'EADDRINUSE' ? 'is already in use (--port P picks another)' : error.message;
  process.stderr.write(`lesson 0: cannot listen on 127.0.0.1:${port}: ${why}\n`);
  process.exit(1);
});

server.listen(port, '127.0.0.1', () => {
  const { port: bound } = server.address() as AddressInfo;
  process.stderr.write(`lesson 0 listening on http://127.0.0.1:${bound}\nready; Ctrl+C stops\n`);
});
