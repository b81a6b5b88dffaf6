/**
 * The connection's state machine (packages/net-server/src/connection.ts): the
 * moves Go's ConnState names allow, written out here, and every other move
 * refused with IllegalStateChange rather than ignored.
 */
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ReceiverContext } from '@hook-observatory/core';
import {
  Connection,
  IllegalStateChange,
  type ConnState,
} from '@hook-observatory/net-server/connection';
import { RequestParser } from '@hook-observatory/net-server/request-parser';
import { GroupCommit } from '@hook-observatory/net-server/group-commit';

const STATES: readonly ConnState[] = ['new', 'active', 'idle', 'closing', 'closed'];

/** The moves allowed, from each state. */
const ALLOWED: Readonly<Record<ConnState, readonly ConnState[]>> = {
  new: ['active', 'closing', 'closed'],
  active: ['idle', 'closing', 'closed'],
  idle: ['active', 'closing', 'closed'],
  closing: ['closed'],
  closed: [],
};

/** How each state is reached from 'new'. */
const PATH_TO: Readonly<Record<ConnState, readonly ConnState[]>> = {
  new: [],
  active: ['active'],
  idle: ['active', 'idle'],
  closing: ['closing'],
  closed: ['closed'],
};

/** Only what setState touches: the body budget it gives back, and no keep-alive timer (timeout 0). */
const CONTEXT = {
  timeouts: { keepAliveTimeoutMs: 0 },
  bodyBudget: { take: () => true, giveBack: () => undefined },
} as unknown as ReceiverContext;

function connectionIn(state: ConnState): Connection {
  const parser = new RequestParser({
    maxHeaderBytes: 16_384,
    maxChunkExtensionBytes: 16_384,
    maxHeadersCount: 2_000,
    maxBodyBytes: 1_000,
    drainsBody: () => false,
  });
  const connection = new Connection(
    CONTEXT,
    new Socket(),
    { transport: 'tcp', address: undefined },
    parser,
    new GroupCommit(() => undefined),
  );
  for (const step of PATH_TO[state]) connection.setState(step);
  expect(connection.state).toBe(state);
  return connection;
}

const MOVES = STATES.flatMap((from) =>
  STATES.map((to) => ({ from, to, allowed: ALLOWED[from].includes(to) })),
);

describe('connection state', () => {
  it.each(MOVES.filter((move) => move.allowed))('moves-from-$from-to-$to', ({ from, to }) => {
    const connection = connectionIn(from);
    connection.setState(to);
    expect(connection.state).toBe(to);
  });

  it.each(MOVES.filter((move) => !move.allowed))('refuses-$from-to-$to', ({ from, to }) => {
    const connection = connectionIn(from);
    expect(() => connection.setState(to)).toThrow(IllegalStateChange);
    expect(connection.state).toBe(from);
  });

  it.each([
    { name: 'first-head-makes-a-new-connection-active', from: 'new', after: 'active' },
    { name: 'next-head-makes-an-idle-connection-active', from: 'idle', after: 'active' },
    { name: 'pipelined-head-finds-it-active', from: 'active', after: 'active' },
    { name: 'head-after-a-closing-answer-leaves-it-closing', from: 'closing', after: 'closing' },
  ] as const)('$name', ({ from, after }) => {
    const connection = connectionIn(from);
    connection.headComplete();
    expect(connection.state).toBe(after);
  });
});
