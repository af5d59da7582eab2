import { Redis as RedisExtension } from '@hocuspocus/extension-redis';
import type { afterLoadDocumentPayload, beforeBroadcastStatelessPayload, Hocuspocus, onAwarenessUpdatePayload, onChangePayload, onStoreDocumentPayload } from '@hocuspocus/server';
import type { Logger } from '@coderoom/shared';
import type { RedisLink } from './RedisLink.js';

/** Namespace of the document channels and store locks in Redis. */
export const REDIS_DOCUMENT_PREFIX = 'coderoom:doc';
/**
 * After Redis returns, documents announce their state again this many ms later: nodes come
 * back one by one, and an announcement made before another node resubscribed reaches nobody.
 */
export const REDIS_RESYNC_DELAY_MS = 1000;

/**
 * Hocuspocus's Redis extension (SPEC SCALE2): every change to a loaded document is announced on
 * the document's channel, and the nodes that have it loaded exchange what the other lacks, so
 * clients of one document on different nodes converge.
 *
 * What this adds to the extension, for a Redis outage (SCALE4): Hocuspocus does not await or
 * catch `onChange`, `onAwarenessUpdate` and stateless broadcasts, so a failed publish would be an
 * unhandled rejection that ends the process; here a failure is logged at debug level instead
 * (RedisLink logs the outage itself, once). While Redis is away, loading a document does not wait
 * for its subscription, and storing does not wait for the cross-node store lock. When Redis is
 * back, every loaded document announces its state, so what each node took in meanwhile is
 * exchanged.
 */
export class RedisDocuments extends RedisExtension {
  readonly extensionName = 'RedisDocuments';
  private hocuspocus: Hocuspocus | null = null;

  constructor(
    private readonly link: RedisLink,
    nodeId: string,
    private readonly logger: Logger,
  ) {
    super({ createClient: () => link.connect('documents'), identifier: nodeId, prefix: REDIS_DOCUMENT_PREFIX });
    // Before DurableLog (1000): take the store lock first, so one node at a time compacts a document.
    this.priority = 1001;
    link.onReady(() => {
      this.announceAll();
      setTimeout(() => this.announceAll(), REDIS_RESYNC_DELAY_MS).unref();
    });
  }

  override async onConfigure(payload: Parameters<RedisExtension['onConfigure']>[0]): Promise<void> {
    this.hocuspocus = payload.instance;
    await super.onConfigure(payload);
  }

  override async afterLoadDocument(payload: afterLoadDocumentPayload): Promise<unknown> {
    const subscribed = super.afterLoadDocument(payload).catch((err: unknown) => this.failed('afterLoadDocument', payload.documentName, err));
    // While Redis is away the subscription waits in the offline queue; the document is served meanwhile.
    return this.link.ready ? subscribed : undefined;
  }

  override async onStoreDocument(payload: onStoreDocumentPayload): Promise<void> {
    // The lock only keeps nodes from compacting at once; without Redis, compact unlocked.
    if (!this.link.ready) return;
    await super.onStoreDocument(payload);
  }

  override async onChange(payload: onChangePayload): Promise<unknown> {
    return super.onChange(payload).catch((err: unknown) => this.failed('onChange', payload.documentName, err));
  }

  override async onAwarenessUpdate(payload: onAwarenessUpdatePayload): Promise<number | undefined> {
    return super.onAwarenessUpdate(payload).catch((err: unknown) => this.failed('onAwarenessUpdate', payload.documentName, err));
  }

  override async beforeBroadcastStateless(payload: beforeBroadcastStatelessPayload): Promise<number> {
    return super.beforeBroadcastStateless(payload).catch((err: unknown) => {
      this.failed('beforeBroadcastStateless', payload.documentName, err);
      return 0; // receivers of the publish
    });
  }

  /** Announces every loaded document's state vector: other nodes answer with what it lacks, and ask for what they lack. */
  private announceAll(): void {
    if (!this.hocuspocus || !this.link.ready) return;
    for (const document of this.hocuspocus.documents.values()) {
      void this.onChange({ documentName: document.name, document, transactionOrigin: undefined } as onChangePayload);
    }
  }

  private failed(hook: string, documentName: string, err: unknown): undefined {
    this.logger.debug({ documentName, err: (err as Error)?.message ?? String(err) }, `${hook}() | redis failed`);
    return undefined;
  }
}
