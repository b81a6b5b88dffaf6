#!/usr/bin/env node
/**
 * The bare node:http baseline: what the abstracted server costs before
 * anything of ours. node:http parses the request, we parse the body as JSON
 * and write it back out as one line on standard output, and answer the same
 * empty 200 as the real servers. No routing, no enrichment, no sinks.
 */
import { createServer } from 'node:http';
import { listenFromArgs } from './listen.js';

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    let status = 200;
    try {
      process.stdout.write(JSON.stringify(JSON.parse(Buffer.concat(chunks).toString('utf8'))) + '\n');
    } catch {
      status = 400;
    }
    response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': 0 });
    response.end();
  });
});

listenFromArgs(server, 'bare node:http');
