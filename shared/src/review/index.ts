// Review threads: anchored to lines by Yjs relative positions, kept when outdated, exportable.
export * from './model.js';
export * from './anchor.js';
export * from './overview.js';
export * from './ReviewThreads.js';
export * from './language.js';
export * from './exportMarkdown.js';
export * from './exportJson.js';
export * from './permissions.js';
export * from './lines.js';
