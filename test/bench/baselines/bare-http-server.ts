#!/usr/bin/env node
/**
 * The bare node:http baseline: what the abstracted server costs before
 * anything of ours. node:http parses the request, we parse the body as JSON
 * and write it back out as one line on standard output, and answer the same
 * empty 200 as the real servers. No routing, no enrichment, no sinks; only
 * the two things every receiver here must do besides: ask who connected, once
 * a connection (core's originAsker), and keep the line in the live view's ring
 * of recent events (core's EventRing, its default size).
 */
import { createServer } from 'node:http';
import { EventRing } from '@hook-observatory/core/internal/event-ring';
import { originAsker } from '@hook-observatory/core/internal/serve';
import { listenFromArgs, transportFromArgs } from './listen.js';

const askOrigin = await originAsker(transportFromArgs(), () => {});
const ring = new EventRing();

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    let status = 200;
    try {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const line = Buffer.from(JSON.stringify(event) + '\n', 'utf8');
      ring.add(String(event['hook_event_name']), String(event['session_id']), line);
      process.stdout.write(line);
    } catch {
      status = 400;
    }
    response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': 0 });
    response.end();
  });
});

// Who connected, asked at accept as the real servers ask it (packages/core/src/serve.ts).
server.on('connection', (socket) => void askOrigin(socket));

listenFromArgs(server, 'bare node:http');
