import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Extension, afterLoadDocumentPayload, afterUnloadDocumentPayload, beforeHandleMessagePayload } from '@hocuspocus/server';
import { FAST_LATENCY_BUCKETS_SECONDS, defineCounter, defineGauge, defineHistogram, secondsSince } from '@coderoom/shared';
import { LOAD_ORIGIN } from './DurableLog.js';
import type { Router } from './http.js';

/** Documents Hocuspocus holds in memory. */
export const documentsLoadedGauge = defineGauge({ name: 'collab_documents_loaded', help: 'Documents loaded in memory.' });
/** Updates applied to loaded documents (from clients and the REST API; replays from storage excluded). */
export const updatesAppliedCounter = defineCounter({ name: 'collab_updates_applied_total', help: 'Yjs updates applied to loaded documents.' });
/** From a client's message reaching the server to its update having been broadcast (and logged). */
export const fanoutHistogram = defineHistogram({
  name: 'collab_fanout_seconds',
  help: 'Time from a client update arriving to it being broadcast to every connection of the document.',
  buckets: FAST_LATENCY_BUCKETS_SECONDS,
});
/** HTTP requests by route pattern, method and status. */
export const httpHistogram = defineHistogram<'route' | 'method' | 'status'>({
  name: 'http_request_duration_seconds',
  help: 'HTTP request latency by route pattern, method and status code.',
  labelNames: ['route', 'method', 'status'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

/** Paths served outside the API router, each its own `route` label. */
const FIXED_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** Times `req` until its response closes, labelled by the route pattern (never the raw path). */
export function trackRequest(req: IncomingMessage, res: ServerResponse, router: Router): void {
  const start = process.hrtime.bigint();
  res.once('close', () => {
    const method = req.method ?? 'GET';
    const pathname = (req.url ?? '/').split('?')[0]!;
    httpHistogram.observe({ route: routeOf(router, method, pathname), method, status: String(res.statusCode) }, secondsSince(start));
  });
}

function routeOf(router: Router, method: string, pathname: string): string {
  if (FIXED_ROUTES.has(pathname)) return pathname;
  if (pathname === '/api' || pathname.startsWith('/api/')) {
    try {
      const m = router.match(method, pathname);
      return typeof m === 'object' && m !== null ? m.path : 'unmatched';
    } catch {
      return 'unmatched';
    }
  }
  return 'static';
}

/** Arrival times kept per connection at most; older ones are dropped (their updates go untimed). */
const MAX_PENDING_ARRIVALS = 64;

/** Reads a lib0 varUint at `pos`; returns [value, next position]. */
function readVarUint(data: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let mult = 1;
  while (pos < data.length) {
    const byte = data[pos++]!;
    value += (byte & 0x7f) * mult;
    if (byte < 0x80) return [value, pos];
    mult *= 128;
  }
  return [-1, pos];
}

/** Whether a Hocuspocus message is a Yjs sync update (`docName`, Sync = 0, Update = 2). */
function isSyncUpdate(data: Uint8Array): boolean {
  const [nameLength, afterLength] = readVarUint(data, 0);
  if (nameLength < 0) return false;
  const [type, afterType] = readVarUint(data, afterLength + nameLength);
  if (type !== 0) return false;
  return readVarUint(data, afterType)[0] === 2;
}

/**
 * Hocuspocus extension counting documents and updates and timing fan-out.
 *
 * Fan-out is timed from `beforeHandleMessage` (a sync-update message reached the server, before
 * decoding) to this extension's `update` listener on the Y.Doc, matched first-in first-out per
 * connection (messages of a connection are applied in order). The update is applied once it is
 * committed to the durable log (WriteAheadQueue, SPEC WAL1), and this listener is registered
 * after the Document's own (which broadcasts it), so the span covers hooks, the durable append,
 * decode, apply and broadcast (frames queued on every socket); not the kernel sending the frames. An update message that changes nothing
 * fires no `update` event, so a later update may be timed from its arrival: the error is an
 * overestimate, never an underestimate.
 */
export class CollabMetrics implements Extension {
  readonly extensionName = 'CollabMetrics';
  /** When each connection's sync-update messages arrived (hrtime), oldest first, until applied. */
  private readonly arrivals = new WeakMap<object, bigint[]>();
  private readonly loaded = new Set<string>();

  async beforeHandleMessage({ connection, update }: beforeHandleMessagePayload): Promise<void> {
    if (!isSyncUpdate(update)) return;
    let queue = this.arrivals.get(connection);
    if (!queue) this.arrivals.set(connection, (queue = []));
    if (queue.length >= MAX_PENDING_ARRIVALS) queue.shift();
    queue.push(process.hrtime.bigint());
  }

  async afterLoadDocument({ document, documentName }: afterLoadDocumentPayload): Promise<void> {
    if (!this.loaded.has(documentName)) {
      this.loaded.add(documentName);
      documentsLoadedGauge.inc();
    }
    document.on('update', (_update: Uint8Array, origin: unknown) => {
      if (origin === LOAD_ORIGIN) return;
      updatesAppliedCounter.inc();
      if (typeof origin !== 'object' || origin === null) return;
      const start = this.arrivals.get(origin)?.shift();
      if (start !== undefined) fanoutHistogram.observe(secondsSince(start));
    });
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    if (this.loaded.delete(documentName)) documentsLoadedGauge.dec();
  }
}
