/**
 * Every hook event Claude Code 2.1 can send, in the order a session meets them.
 *
 * One list, shared by both servers (which accept any name, but describe these)
 * and by the installer (which hooks exactly these). `matcher` is true where
 * Claude Code filters the event by a matcher (a tool name, a source, a reason);
 * events without one ignore the field, so the installer omits it there.
 * The recorded sessions in packages/conformance/traffic/ hold a real payload of each, except
 * PermissionDenied, which fires only when auto mode or a rule refuses a tool.
 */
export interface HookEventInfo {
  readonly name: string;
  readonly matcher: boolean;
  readonly when: string;
}

export const HOOK_EVENTS: readonly HookEventInfo[] = [
  { name: 'Setup', matcher: true, when: 'claude --init or --maintenance runs, before the session' },
  {
    name: 'SessionStart',
    matcher: true,
    when: 'a session starts, resumes, is cleared or compacted',
  },
  { name: 'InstructionsLoaded', matcher: true, when: 'a CLAUDE.md or rules file is loaded' },
  {
    name: 'UserPromptSubmit',
    matcher: false,
    when: 'the user submits a prompt, before Claude sees it',
  },
  { name: 'UserPromptExpansion', matcher: true, when: 'a slash command expands into a prompt' },
  { name: 'PreToolUse', matcher: true, when: 'a tool call is ready, before it runs' },
  { name: 'PermissionRequest', matcher: true, when: 'a permission dialog is about to be shown' },
  { name: 'PermissionDenied', matcher: true, when: 'auto mode or a rule refuses a tool call' },
  { name: 'PostToolUse', matcher: true, when: 'a tool call succeeded' },
  { name: 'PostToolUseFailure', matcher: true, when: 'a tool call failed' },
  { name: 'PostToolBatch', matcher: false, when: 'a batch of parallel tool calls finished' },
  {
    name: 'Notification',
    matcher: true,
    when: 'Claude Code notifies the user (idle, permission needed)',
  },
  { name: 'MessageDisplay', matcher: false, when: 'part of an assistant message is shown' },
  { name: 'SubagentStart', matcher: true, when: 'a subagent starts' },
  { name: 'SubagentStop', matcher: true, when: 'a subagent finishes' },
  { name: 'TaskCreated', matcher: false, when: 'a task is created' },
  { name: 'TaskCompleted', matcher: false, when: 'a task is marked completed' },
  { name: 'TeammateIdle', matcher: false, when: 'an agent-team teammate goes idle' },
  { name: 'Elicitation', matcher: true, when: 'an MCP server asks the user for input' },
  { name: 'ElicitationResult', matcher: true, when: 'the user answered an MCP elicitation' },
  { name: 'ConfigChange', matcher: true, when: 'a settings file changed during the session' },
  { name: 'CwdChanged', matcher: false, when: 'the working directory changed' },
  { name: 'FileChanged', matcher: true, when: 'a watched file changed on disk' },
  {
    name: 'WorktreeCreate',
    matcher: false,
    when: 'a git worktree is to be created (the hook answers its path)',
  },
  { name: 'WorktreeRemove', matcher: false, when: 'a git worktree is removed' },
  { name: 'PreCompact', matcher: true, when: 'the context is about to be compacted' },
  { name: 'PostCompact', matcher: true, when: 'the context was compacted' },
  { name: 'Stop', matcher: false, when: 'Claude finished its answer' },
  { name: 'StopFailure', matcher: true, when: 'a turn ended on an API error' },
  { name: 'SessionEnd', matcher: true, when: 'the session ends' },
];

export const HOOK_EVENT_NAMES: readonly string[] = HOOK_EVENTS.map((event) => event.name);

/** The name recorded when neither the query nor the body names the event. */
export const UNKNOWN_EVENT = 'Unknown';
