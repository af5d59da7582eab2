import { HocuspocusProvider, type HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { ReviewThreads, roomReviewDocName, type ReviewThread } from '@coderoom/shared/client';
import { Store } from '../Store';

/**
 * The room's review document, read-only here (the server writes it for us through the review
 * API; SPEC AUTH5): its threads as a store that changes whenever anyone's change arrives.
 */
export class ReviewSession {
  readonly threads = new Store<readonly ReviewThread[]>([]);
  readonly loaded = new Store(false);
  readonly model: ReviewThreads;
  private readonly provider: HocuspocusProvider;
  private readonly unobserve: () => void;

  constructor(roomId: string, socket: HocuspocusProviderWebsocket, token: () => Promise<string>) {
    this.provider = new HocuspocusProvider({
      websocketProvider: socket,
      name: roomReviewDocName(roomId),
      token,
      onSynced: () => {
        this.loaded.set(true);
        this.refresh();
      },
    });
    this.provider.awareness?.setLocalState(null);
    this.model = new ReviewThreads(this.provider.document);
    this.unobserve = this.model.observe(() => this.refresh());
    this.provider.attach();
  }

  private refresh(): void {
    this.threads.set(this.model.list());
  }

  destroy(): void {
    this.unobserve();
    this.provider.destroy();
    this.provider.document.destroy();
  }
}
