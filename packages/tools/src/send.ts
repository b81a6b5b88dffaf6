/**
 * pnpm -s send PORT: a tiny netcat for the notes' Try-it commands, since a
 * fresh machine has node and curl but rarely nc. It connects to 127.0.0.1:PORT,
 * sends its standard input byte for byte, then shuts down its sending side (as
 * `nc -N` does), and prints every byte the server answers until the server
 * closes. With --keep-open it never shuts down its side: a client that stalls.
 *
 *   printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' | pnpm -s send 23518
 */
import { connect } from 'node:net';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ options: { 'keep-open': { type: 'boolean', default: false } }, allowPositionals: true });
const port = Number(positionals[0]);
if (positionals.length !== 1 || !Number.isInteger(port) || port < 1 || port > 65_535) {
  process.stderr.write('usage: printf BYTES | pnpm -s send [--keep-open] PORT\n');
  process.exit(2);
}

const input: Buffer[] = [];
process.stdin.on('data', (chunk: Buffer) => input.push(chunk));
process.stdin.on('end', () => {
  const socket = connect(port, '127.0.0.1', () => {
    if (values['keep-open']) socket.write(Buffer.concat(input));
    else socket.end(Buffer.concat(input));
  });
  socket.on('data', (chunk: Buffer) => process.stdout.write(chunk));
  socket.on('end', () => socket.end());
  socket.on('error', (error) => {
    process.stderr.write(`send: ${error.message}\n`);
    process.exitCode = 1;
  });
});
