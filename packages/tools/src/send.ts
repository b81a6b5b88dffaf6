/**
 * pnpm -s send PORT: a tiny netcat for the notes' Try-it commands, since a
 * fresh machine has node and curl but rarely nc. It connects to 127.0.0.1:PORT,
 * sends its standard input byte for byte, then shuts down its sending side (as
 * `nc -N` does), and prints every byte the server answers until the server
 * closes. With --keep-open it never shuts down its side: a client that stalls.
 * With --split N it sends N bytes at a time, a pause between pieces, so that
 * the server reads the request in pieces (lesson 0 prints each read).
 *
 *   printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' | pnpm -s send 23518
 *   printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' | pnpm -s send --split 16 23518
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { argsErrorLine } from '@hook-observatory/core/vocabulary';

/**
 * The pause between pieces: far above loopback's delayed ACK (40 ms on Linux),
 * so that no two pieces reach the server in one read, and long enough for a
 * person to see the reads come one by one.
 */
const SPLIT_PAUSE_MS = 500;
const USAGE = `Usage: printf BYTES | pnpm -s send [options] PORT

Send standard input to 127.0.0.1:PORT byte for byte, shut down the sending
side, and print every byte the server answers until it closes.

  --keep-open        never shut down the sending side: a client that stalls
  --split N          send N bytes at a time, with a pause between pieces
  --pause MS         the pause between pieces (default ${SPLIT_PAUSE_MS} ms)
  --help             show this help

Examples:
  printf 'GET /health HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' | pnpm -s send 23518
  printf 'GET /health HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' | pnpm -s send --split 16 23518
`;

/** One line saying what is wrong and what is valid, and exit status 2. */
function usageError(line: string): never {
  process.stderr.write(`send: ${line}\n`);
  process.exit(2);
}

const options = {
  'keep-open': { type: 'boolean', default: false },
  split: { type: 'string' },
  pause: { type: 'string', default: String(SPLIT_PAUSE_MS) },
  help: { type: 'boolean', short: 'h' },
} as const;
let parsed;
try {
  parsed = parseArgs({ options, allowPositionals: true });
} catch (error) {
  usageError(argsErrorLine(error, options));
}
const { values, positionals } = parsed;
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const port = Number(positionals[0]);
const pieceBytes = values.split === undefined ? Number.POSITIVE_INFINITY : Number(values.split);
const pauseMs = Number(values.pause);
if (positionals.length !== 1 || !Number.isInteger(port) || port < 1 || port > 65_535) {
  usageError(`give one PORT (1 to 65535), not "${positionals.join(' ')}"`);
}
if (values.split !== undefined && !(Number.isInteger(pieceBytes) && pieceBytes >= 1)) {
  usageError(`--split: "${values.split}" is not a number of bytes (1 or more)`);
}
if (!Number.isInteger(pauseMs) || pauseMs < 0) {
  usageError(`--pause: "${values.pause}" is not a number of milliseconds`);
}

/** `bytes` cut into pieces of `size` bytes, the last one shorter. */
function pieces(bytes: Buffer, size: number): Buffer[] {
  if (!Number.isFinite(size)) return [bytes];
  return Array.from({ length: Math.ceil(bytes.length / size) }, (_, index) =>
    bytes.subarray(index * size, (index + 1) * size),
  );
}

const input: Buffer[] = [];
process.stdin.on('data', (chunk: Buffer) => input.push(chunk));
process.stdin.on('end', () => {
  const socket = connect(port, '127.0.0.1', () => {
    void (async () => {
      for (const [index, piece] of pieces(Buffer.concat(input), pieceBytes).entries()) {
        if (index > 0) await sleep(pauseMs);
        if (socket.destroyed) return;
        socket.write(piece);
      }
      if (!values['keep-open']) socket.end();
    })();
  });
  // Each write goes out at once: Nagle's algorithm would hold a small piece back to join it to the next.
  socket.setNoDelay(true);
  socket.on('data', (chunk: Buffer) => process.stdout.write(chunk));
  socket.on('end', () => socket.end());
  socket.on('error', (error) => {
    process.stderr.write(`send: ${error.message}\n`);
    process.exitCode = 1;
  });
});
