export * from './client.js';
export * from './audit.js';
export * from './token.js';
export * from './logger.js';
export * from './config.js';
export * from './origin.js';
export * from './upgrade.js';
export * from './metrics.js';
