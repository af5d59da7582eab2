export { createPtyGateway, type PtyGateway, type PtyGatewayOptions } from './PtyGateway.js';
export { loadPtyConfig, type PtyConfig } from './config.js';
export type { RecordingEntry } from './RecordingStore.js';
