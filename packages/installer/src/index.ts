export * from './cli.js';
export * from './hooks.js';
export * from './json-splice.js';
export * from './options.js';
export * from './settings-file.js';
export * from './settings-text.js';
export * from './token-file.js';
