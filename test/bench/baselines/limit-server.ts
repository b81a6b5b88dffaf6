#!/usr/bin/env node
/**
 * The limit: the least a hook receiver can do on node:net. It frames each
 * request by its Content-Length (node-net-baseline.ts), skips the body unread
 * and writes one fixed 200, the same bytes the real servers send. No header
 * parsing beyond the length, no JSON, no event written: what is left is the
 * cost of Node's sockets on this machine, which no server of ours can beat.
 */
import { createServer } from 'node:net';
import { listenFromArgs } from './listen.js';
import { FIXED_OK, frameRequests } from './node-net-baseline.js';

listenFromArgs(
  createServer({ noDelay: true }, (socket) =>
    frameRequests(socket, false, () => socket.write(FIXED_OK)),
  ),
  'limit (node:net, fixed 200)',
);
