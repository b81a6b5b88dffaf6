export * from './servers.js';
export * from './start.js';
