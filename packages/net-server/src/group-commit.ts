/**
 * The end of a turn: answers and events wait until this turn of the event
 * loop has read, parsed and recorded everything that arrived, then the
 * turn's events go to the sinks together and only then the answers leave.
 *
 * Written one by one, each answer would wake its client in the middle of the
 * work on the others, and each event would cost a write per sink. Held, a
 * busy turn costs a write or a few per sink (sinks.ts, EventLog.writeAll),
 * and an answer never leaves before its event. node:http corks each response
 * only until the next tick (lib/_http_outgoing.js, connectionCorkNT), so the
 * http server writes each event on its own. docs/net-server.md (section 5)
 * tells where the idea comes from.
 */
import type { Socket } from 'node:net';
import type { EventRecord } from '@hook-observatory/core';

// #region group-commit
export class GroupCommit {
  private readonly events: EventRecord[] = [];
  private readonly corkedSockets: Socket[] = [];
  private turnEndBooked = false;

  /** `recordAll` hands events to every sink (ReceiverContext.record). */
  constructor(private readonly recordAll: (records: readonly EventRecord[]) => void) {}

  /** Hold an event until the end of the turn, or until an answer must leave sooner (flush). */
  record(record: EventRecord): void {
    this.events.push(record);
    this.bookTurnEnd();
  }

  /** Write an answer's bytes: they wait, corked, for the end of the turn; `whenWritten` once the socket has taken them. */
  write(socket: Socket, bytes: Buffer, whenWritten?: () => void): void {
    if (socket.writableCorked === 0) {
      socket.cork();
      this.corkedSockets.push(socket);
      this.bookTurnEnd();
    }
    socket.write(bytes, whenWritten === undefined ? undefined : () => whenWritten());
  }

  /**
   * Let a socket's waiting answers go now, after the turn's events: before it
   * is ended or destroyed, which would send or drop them without their events.
   */
  flush(socket: Socket): void {
    this.commitEvents();
    while (socket.writableCorked > 0) socket.uncork();
  }

  /**
   * Hand the events held so far to the sinks now. A viewer attached in this
   * turn must find them in the ring, as node:http's does: there each hook is
   * recorded before the next request's handler runs.
   */
  commitEvents(): void {
    if (this.events.length > 0) this.recordAll(this.events.splice(0));
  }

  private bookTurnEnd(): void {
    if (this.turnEndBooked) return;
    this.turnEndBooked = true;
    // setImmediate runs once the loop has handled this turn's reads.
    setImmediate(this.endTurn);
  }

  private readonly endTurn = (): void => {
    this.turnEndBooked = false;
    this.commitEvents();
    for (const socket of this.corkedSockets.splice(0)) this.flush(socket);
  };
}
// #endregion group-commit
