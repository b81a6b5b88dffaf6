export * from './columns.js';
export * from './filter.js';
export * from './follow.js';
export * from './lines.js';
export * from './output.js';
export * from './query.js';
export * from './sessions.js';
