export * from './servers.js';
export * from './start.js';
export * from './postgres.js';
