#!/usr/bin/env node
/**
 * The event limit: the limit, plus the event. Each body, with who sent it and
 * when, goes through the code both real servers record an event with
 * (packages/core: enrich, then EventStream.add, which makes the JSONL line and
 * keeps it in the live view's ring), and its line is written to standard
 * output before its 200. The events and answers of a loop turn wait for its end, as in
 * the net server (packages/net-server/src/group-commit.ts): then the events go
 * in one write, and the answers after them. Nothing else: no parsing beyond the
 * length, no routing, no guard, no keep-alive timer. So the limit and this
 * server split a real server's cost in two: from the limit to here is what
 * recording an event costs, from here to the net server is what HTTP/1.1
 * done as node:http does it costs.
 */
import { createServer, type Socket } from 'node:net';
import { EventBatch } from '@hook-observatory/core/internal/sinks';
import { EventStream } from '@hook-observatory/core/internal/stream';
import { enrich } from '@hook-observatory/core';
import { originAsker } from '@hook-observatory/core/internal/serve';
import { listenFromArgs, transportFromArgs } from './listen.js';
import { FIXED_OK, frameRequests } from './node-net-baseline.js';

const askOrigin = await originAsker(transportFromArgs(), () => {});
// No viewer ever attaches: only the ring is fed, and no heartbeat is needed.
const eventStream = new EventStream(() => {}, { heartbeatMs: 0 });

/** This turn's JSONL lines, and the sockets whose answers wait, corked, for its end. */
const waitingLines: Buffer[] = [];
const waitingSockets: Socket[] = [];

function endTurn(): void {
  process.stdout.write(Buffer.concat(waitingLines.splice(0)));
  for (const socket of waitingSockets.splice(0)) socket.uncork();
}

const server = createServer({ noDelay: true }, (socket) => {
  // Who connected, asked at accept as the real servers ask it (packages/core/src/serve.ts).
  const origin = askOrigin(socket);
  frameRequests(socket, true, (body) => {
    const batch = new EventBatch([
      enrich({ timestamp: new Date().toISOString(), eventFromQuery: undefined, origin, body }),
    ]);
    eventStream.add(batch);
    if (waitingLines.push(...batch.jsonLines()) === 1) setImmediate(endTurn);
    if (socket.writableCorked === 0) {
      socket.cork();
      waitingSockets.push(socket);
    }
    socket.write(FIXED_OK);
  });
});

listenFromArgs(server, 'event limit (node:net, fixed 200, events written)');
