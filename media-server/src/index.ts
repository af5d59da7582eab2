export { createMediaServer, type MediaServer, type MediaServerOptions } from './MediaServer.js';
export { loadMediaConfig, cachedWorkerBinPath, MEDIASOUP_VERSION, type MediaConfig } from './config.js';
