import { HocuspocusProvider, type HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import type { Role } from '@coderoom/shared/client';
import type * as Y from 'yjs';
import { Store } from './Store';

/** The name of the Y.Text holding a file's content. */
export const FILE_TEXT_NAME = 'content';

/** The `user` awareness field y-codemirror reads to label remote carets. */
export interface AwarenessUser {
  name: string;
  color: string;
  colorLight: string;
  sub: string;
  role: Role;
}

export interface FileSessionOptions {
  path: string;
  /** The room's shared socket. */
  socket: HocuspocusProviderWebsocket;
  /** The document name, `room:<id>:file:<path>`. */
  name: string;
  token: () => Promise<string>;
  /** Called whenever this document's count of unacknowledged changes changes. */
  onUnsynced: () => void;
}

/** One open file: its Y.Doc, its provider on the shared socket, and its awareness. */
export class FileSession {
  readonly path: string;
  readonly provider: HocuspocusProvider;
  /** Why the server refused this document, if it did. */
  readonly error = new Store<string | null>(null);
  /** Whether the document has been received from the server at least once. */
  readonly loaded = new Store(false);
  private destroyed = false;

  constructor(opts: FileSessionOptions) {
    this.path = opts.path;
    this.provider = new HocuspocusProvider({
      websocketProvider: opts.socket,
      name: opts.name,
      token: opts.token,
      onSynced: () => this.loaded.set(true),
      onAuthenticated: () => this.error.set(null),
      onAuthenticationFailed: ({ reason }) => this.error.set(reason || 'access denied'),
      onUnsyncedChanges: () => opts.onUnsynced(),
    });
    // Nobody sees us in this file until it is the one we show.
    this.provider.awareness?.setLocalState(null);
    this.provider.attach();
  }

  get doc(): Y.Doc {
    return this.provider.document;
  }

  get text(): Y.Text {
    return this.provider.document.getText(FILE_TEXT_NAME);
  }

  /** Shows us in this file (with our caret) or, with null, hides us from it. */
  setPresent(user: AwarenessUser | null, tab: string): void {
    if (this.destroyed) return;
    const awareness = this.provider.awareness;
    if (!awareness) return;
    if (user === null) awareness.setLocalState(null);
    else awareness.setLocalState({ ...(awareness.getLocalState() ?? {}), user, tab });
  }

  /** Updates our name/role in this file if we are shown in it. */
  setUser(user: AwarenessUser): void {
    if (this.destroyed) return;
    if (this.provider.awareness?.getLocalState()) this.provider.awareness.setLocalStateField('user', user);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.provider.destroy();
    this.provider.document.destroy();
  }
}
