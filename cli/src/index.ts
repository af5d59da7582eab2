export { Hub, DEFAULT_WEB_DIST_DIR } from './Hub.js';
export { createRoom, mintToken } from './admin.js';
