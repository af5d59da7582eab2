// The browser-safe part of `shared`: everything here runs in the web client (no node: imports).
export * from './errors.js';
export * from './roles.js';
export * from './ids.js';
export * from './names.js';
export * from './protocol/control.js';
export * from './protocol/pty.js';
export * from './protocol/media.js';
export * from './protocol/accounts.js';
export * from './protocol/review.js';
export * from './review/index.js';
export * from './protocol/access.js';
