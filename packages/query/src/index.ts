export * from './columns.js';
export * from './filter.js';
export * from './follow.js';
export * from './lines.js';
export * from './output.js';
export * from './query.js';
export {
  SessionTracker,
  MAX_AGENTS_PER_SESSION,
  type AgentRun,
  type Session,
  type SessionState,
} from '@hook-observatory/core/vocabulary';
