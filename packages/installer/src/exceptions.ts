/**
 * The three places where the installer does not simply add the transport's
 * hook to an event, each with the reason, shown to the user before any change
 * (and in packages/installer/README.md).
 */
import type { HookTransport } from './hooks.js';

export interface HookException {
  readonly events: readonly string[];
  /** The transports the exception changes anything for. */
  readonly transports: readonly HookTransport[];
  readonly explanation: string;
}

export const NEVER_HOOKED: readonly string[] = ['WorktreeCreate'];
/** Events Claude Code never sends a native HTTP hook for (seen in the recorded 2.1.197 sessions). */
export const NO_NATIVE_HTTP_HOOK: readonly string[] = ['Setup', 'SessionStart'];
/** Events whose native HTTP hook fails closed when the receiver is down. */
export const NATIVE_HTTP_FAILS_CLOSED: readonly string[] = ['PermissionRequest'];

export const HOOK_EXCEPTIONS: readonly HookException[] = [
  {
    events: NEVER_HOOKED,
    transports: ['tcp', 'unix', 'http'],
    explanation:
      'WorktreeCreate is never hooked. A WorktreeCreate hook replaces how Claude Code creates a ' +
      'worktree: it takes what the hook prints as the new worktree\'s path. A hook that only ' +
      'reports the event prints nothing, and worktrees would stop working.',
  },
  {
    events: NO_NATIVE_HTTP_HOOK,
    transports: ['http'],
    explanation:
      'Setup and SessionStart get a curl command hook in http mode. Claude Code runs only ' +
      'command hooks for these two events and skips native HTTP hooks, so a native hook ' +
      'would never report them.',
  },
  {
    events: NATIVE_HTTP_FAILS_CLOSED,
    transports: ['http'],
    explanation:
      'PermissionRequest gets a curl command hook in http mode. When a native HTTP hook on ' +
      'PermissionRequest cannot reach its server, Claude Code denies the tool instead of asking ' +
      'you (anthropics/claude-code issue 46193); a curl hook fails quietly and the dialog appears.',
  },
];

/** What kind of handler an event gets on a transport. */
export function handlerKindFor(event: string, transport: HookTransport): 'none' | 'command' | 'http' {
  if (NEVER_HOOKED.includes(event)) return 'none';
  if (transport !== 'http') return 'command';
  if (NO_NATIVE_HTTP_HOOK.includes(event) || NATIVE_HTTP_FAILS_CLOSED.includes(event)) return 'command';
  return 'http';
}

/**
 * The explanations that matter for this install: an exception is shown when
 * it changes the transport's hooks and names an event the user asked for.
 */
export function exceptionsFor(transport: HookTransport, requestedEvents: readonly string[]): HookException[] {
  return HOOK_EXCEPTIONS.filter(
    (exception) =>
      exception.transports.includes(transport) && exception.events.some((event) => requestedEvents.includes(event)),
  );
}
