import { startHubProcess, type HubProcess } from '../cli/test/hubProcess.js';

export { startHubProcess, type HubProcess };

/** A port that was free a moment ago (so a restarted hub can come back on the same one). */
export { freePort } from '../shared/test/ports.js';
