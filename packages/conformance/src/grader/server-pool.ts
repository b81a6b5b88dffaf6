/**
 * The servers a grading has started, by server and environment, shared by
 * its lanes. Under tsx on a loaded 2-core machine a start costs seconds, and
 * starts were most of the time a lesson took to grade, so a server is kept for
 * the next family with the same environment, and the servers the next
 * families will need are started while the current one plays (`warm`,
 * grade.ts's WARM_AHEAD).
 */
import type { ServerEntry, Transport } from '@hook-observatory/launcher';
import type { Family } from '../families.js';
import { StagedServer } from '../harness/server-pair.js';

export type Server = { readonly name: string; readonly entry: ServerEntry };

const keyOf = (server: Server, env: Family['env']): string =>
  `${server.name}\n${JSON.stringify(env ?? {})}`;

export class ServerPool {
  /** Started or starting, and not in a lane's hands. */
  private readonly idle = new Map<string, Array<Promise<StagedServer>>>();
  /** How many servers of each key are running or starting, idle or taken. */
  private readonly live = new Map<string, number>();
  private readonly every = new Set<Promise<StagedServer>>();

  constructor(private readonly transport: Transport) {}

  private start(key: string, server: Server, env: Family['env']): Promise<StagedServer> {
    const starting = StagedServer.start(server, this.transport, env);
    // A start no lane is waiting for yet must not fail unhandled; take() still sees the failure.
    starting.catch(() => undefined);
    this.every.add(starting);
    this.live.set(key, (this.live.get(key) ?? 0) + 1);
    return starting;
  }

  /** A server of this kind for one lane alone: an idle one, or a new one. */
  take(server: Server, env: Family['env']): Promise<StagedServer> {
    const key = keyOf(server, env);
    return this.idle.get(key)?.shift() ?? this.start(key, server, env);
  }

  /**
   * Back from a lane, for the next family with its environment. A server
   * started with an environment of its own is stopped instead: what it keeps
   * between cases (the stream's ring and its ids) would reach the next family
   * on one side only, node:http's or the subject's, whichever lane took it.
   */
  give(server: Server, env: Family['env'], staged: StagedServer): void {
    const key = keyOf(server, env);
    if (env !== undefined) {
      this.live.set(key, (this.live.get(key) ?? 1) - 1);
      void staged.stop();
      return;
    }
    this.idle.set(key, [...(this.idle.get(key) ?? []), Promise.resolve(staged)]);
  }

  /**
   * Start one ahead of need for one family. A server of an environment of its
   * own serves one family (give): each family warmed gets its own. One without
   * passes from family to family: none is started while one is running or starting.
   */
  warm(server: Server, env: Family['env']): void {
    const key = keyOf(server, env);
    if (env === undefined && (this.live.get(key) ?? 0) > 0) return;
    this.idle.set(key, [...(this.idle.get(key) ?? []), this.start(key, server, env)]);
  }

  /** Stop a server a case left in an unknown state, and take a fresh one in its place. */
  async replace(server: Server, env: Family['env'], staged: StagedServer): Promise<StagedServer> {
    const key = keyOf(server, env);
    this.live.set(key, (this.live.get(key) ?? 1) - 1);
    await staged.stop();
    return this.start(key, server, env);
  }

  async stopAll(): Promise<void> {
    const started = await Promise.allSettled([...this.every]);
    await Promise.all(
      started.flatMap((result) => (result.status === 'fulfilled' ? [result.value.stop()] : [])),
    );
    this.every.clear();
    this.idle.clear();
    this.live.clear();
  }
}
