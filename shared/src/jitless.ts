import { z } from 'zod';

// In a browser the app runs under the hub's Content-Security-Policy, which allows no eval:
// zod must not compile parsers with `new Function` (even its probe reports a CSP violation).
// Imported first by client.ts, so it runs before any schema is built; servers keep the fast path.
if (typeof (globalThis as { document?: unknown }).document !== 'undefined') z.config({ jitless: true });
