#!/usr/bin/env node
/**
 * The event limit: the limit, plus the event. Each body goes through the
 * code both real servers run (packages/core: enrich, then the JSONL line) and
 * is written to standard output before its 200, with who sent it and when.
 * Nothing else: no parsing beyond the length, no routing, no guard, no
 * keep-alive timer. So the limit and this server split a real server's cost
 * in two: from the limit to here is what recording an event costs, from here
 * to the net server is what HTTP/1.1 done as node:http does it costs.
 */
import { createServer } from 'node:net';
import { enrich, formatJsonLine, loadPeerCredentials, type Origin } from '@hook-observatory/core';
import { listenFromArgs } from './listen.js';
import { FIXED_OK, frameRequests } from './node-net-baseline.js';

const overUnixSocket = process.argv.includes('--socket');
const credentials = await loadPeerCredentials();

const server = createServer({ noDelay: true }, (socket) => {
  // Who connected, asked at accept as the real servers ask it (packages/core/src/serve.ts).
  const origin: Origin = overUnixSocket
    ? { transport: 'unix', peer: credentials.read(socket) }
    : { transport: 'tcp', address: socket.remoteAddress };
  frameRequests(socket, true, (body) => {
    process.stdout.write(formatJsonLine(enrich({ timestamp: new Date().toISOString(), eventFromQuery: undefined, origin, body })));
    socket.write(FIXED_OK);
  });
});

listenFromArgs(server, 'event limit (node:net, fixed 200, events written)');
