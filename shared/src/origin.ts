import type { IncomingMessage } from 'node:http';

/**
 * Whether a WebSocket upgrade's Origin may connect: same origin as the Host it was sent to,
 * or one of `allowed`. Requests without an Origin (non-browser clients, which cannot be
 * driven by another site) are allowed; tokens still gate them.
 */
export function isOriginAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === req.headers.host;
}
