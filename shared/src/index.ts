export * from './errors.js';
export * from './roles.js';
export * from './ids.js';
export * from './token.js';
export * from './logger.js';
export * from './config.js';
export * from './protocol/control.js';
