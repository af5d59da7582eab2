import { useCallback, useEffect, useRef, useState } from 'react';
import { canEdit, isHost, type TerminalInfo } from '@coderoom/shared/client';
import { ConfirmDialog } from '../ConfirmDialog';
import type { TokenKeeper } from '../TokenKeeper';
import { useStore } from '../useStore';
import { ControlBar } from './ControlBar';
import { INITIAL_LAYOUT, paneCount, reconcile, showTerminal, toggleSplit, unshown, type PaneLayout } from './paneLayout';
import { PtyClient, type PtyLink, type PtyYou } from './PtyClient';
import { RecordingsDialog } from './RecordingsDialog';
import { SplitView } from './SplitView';
import { Icon } from '../Icon';
import { TerminalPane } from './TerminalPane';
import { TerminalTabs } from './TerminalTabs';
import { Toasts } from './Toasts';

interface Props {
  roomId: string;
  keeper: TokenKeeper;
}

/** The room's shared terminals: tabs, one or two panes, who drives, recordings. */
export function TerminalPanel({ roomId, keeper }: Props) {
  const [client, setClient] = useState<PtyClient | null>(null);
  useEffect(() => {
    const c = new PtyClient(roomId, keeper);
    setClient(c);
    return () => c.close();
  }, [roomId, keeper]);
  if (!client) return null;
  return <Panel client={client} roomId={roomId} keeper={keeper} />;
}

const PANE_IDS = ['term-pane-0', 'term-pane-1'] as const;

function Panel({ client, roomId, keeper }: { client: PtyClient; roomId: string; keeper: TokenKeeper }) {
  const link = useStore(client.link);
  const you = useStore(client.you);
  const terminals = useStore(client.terminals);
  const toasts = useStore(client.toasts);
  const [layout, setLayout] = useState<PaneLayout>(INITIAL_LAYOUT);
  const [ratio, setRatio] = useState(0.5);
  const [closing, setClosing] = useState<TerminalInfo | null>(null);
  const [showRecordings, setShowRecordings] = useState(false);
  /** The pane a terminal we asked to create should appear in. */
  const createTarget = useRef<0 | 1 | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);

  const ids = terminals.map((t) => t.id);
  const idsKey = ids.join(' ');
  useEffect(() => {
    setLayout((l) => reconcile(l, idsKey ? idsKey.split(' ') : []));
  }, [idsKey]);

  useEffect(
    () =>
      client.onCreated((id) => {
        const pane = createTarget.current;
        createTarget.current = null;
        setLayout((l) => showTerminal(l, id, pane ?? l.active));
      }),
    [client],
  );

  const create = useCallback(
    (pane: 0 | 1) => {
      createTarget.current = pane;
      client.request({ type: 'create' });
    },
    [client],
  );

  const byId = (id: string | null): TerminalInfo | null => (id === null ? null : (terminals.find((t) => t.id === id) ?? null));
  const connected = link.state === 'connected';
  const mayCreate = you !== null && canEdit(you.role);
  const host = you !== null && isHost(you.role);
  const count = paneCount(layout);
  const activeInfo = byId(layout.panes[layout.active]);

  const split = (mode: 'row' | 'column'): void => {
    const next = toggleSplit(layout, mode, unshown(layout, ids));
    setLayout(next);
    if (next.split !== 'single' && layout.split === 'single' && next.panes[1] === null && mayCreate) create(1);
  };

  const focusTabs = (): void => {
    rootRef.current?.querySelector<HTMLElement>('[role=tab][tabindex="0"]')?.focus();
  };

  const renderPane = (index: 0 | 1) => {
    const info = byId(layout.panes[index]);
    const activate = (): void => setLayout((l) => (l.active === index ? l : { ...l, active: index }));
    if (!info) {
      return (
        <div id={PANE_IDS[index]} className={`term-pane empty${layout.active === index ? ' active' : ''}`} onPointerDownCapture={activate} onFocusCapture={activate}>
          <p className="muted">{terminals.length > count - 1 ? 'Pick a tab to show it here.' : mayCreate ? 'No other terminal to show here.' : 'Only one terminal is open.'}</p>
          {mayCreate && (
            <button type="button" className="btn tiny" onClick={() => create(index)} disabled={!connected}>
              <Icon name="terminal" size={14} /> New terminal here
            </button>
          )}
        </div>
      );
    }
    return (
      <TerminalPane
        key={info.id}
        id={PANE_IDS[index]}
        client={client}
        info={info}
        driver={you !== null && info.drivers.some((d) => d.sub === you.sub)}
        active={layout.active === index}
        showHeader={count === 2}
        onActivate={activate}
        onLeave={focusTabs}
      />
    );
  };

  return (
    <div ref={rootRef} className="term-panel" data-testid="terminal-panel" aria-label="Terminals" role="region">
      <div className="term-bar">
        <TerminalTabs
          terminals={terminals}
          selected={layout.panes[layout.active]}
          alsoShown={count === 2 ? layout.panes[layout.active === 0 ? 1 : 0] : null}
          controls={PANE_IDS[layout.active]}
          canClose={host}
          onSelect={(id) => setLayout((l) => showTerminal(l, id))}
          onClose={setClosing}
        />
        {mayCreate && (
          <button type="button" className="icon-btn" data-testid="terminal-new" onClick={() => create(layout.active)} disabled={!connected} aria-label="New terminal" title="New terminal">
            <Icon name="plus" size={18} />
          </button>
        )}
        <div className="term-bar-spacer" />
        <button
          type="button"
          className={layout.split === 'row' ? 'icon-btn on' : 'icon-btn'}
          data-testid="terminal-split-h"
          aria-pressed={layout.split === 'row'}
          onClick={() => split('row')}
          disabled={terminals.length === 0}
          aria-label="Split side by side"
          title="Split side by side"
        >
          <Icon name="splitRow" />
        </button>
        <button
          type="button"
          className={layout.split === 'column' ? 'icon-btn on' : 'icon-btn'}
          data-testid="terminal-split-v"
          aria-pressed={layout.split === 'column'}
          onClick={() => split('column')}
          disabled={terminals.length === 0}
          aria-label="Split top and bottom"
          title="Split top and bottom"
        >
          <Icon name="splitColumn" />
        </button>
        <button type="button" className="icon-btn" data-testid="terminal-recordings" onClick={() => setShowRecordings(true)} aria-label="Recordings" title="Recordings">
          <Icon name="film" />
        </button>
      </div>

      <LinkBanner link={link} onRetry={client.retryNow} />
      {activeInfo && you && <ControlBar client={client} info={activeInfo} you={you} />}

      <div className="term-body">
        {terminals.length === 0 ? (
          <EmptyState link={link} you={you} onCreate={() => create(0)} />
        ) : (
          <SplitView
            direction={layout.split === 'column' ? 'column' : 'row'}
            ratio={ratio}
            onRatio={setRatio}
            label="Resize terminal panes"
            className="term-split"
            first={renderPane(0)}
            second={count === 2 ? renderPane(1) : null}
          />
        )}
        <Toasts client={client} toasts={toasts} />
      </div>

      {closing && (
        <ConfirmDialog
          title={`Close “${closing.title}”?`}
          confirmLabel="Close terminal"
          onCancel={() => setClosing(null)}
          onConfirm={() => {
            client.request({ type: 'closeTerminal', terminalId: closing.id });
            setClosing(null);
          }}
        >
          The shell and everything running in it stop for everyone in the room.
        </ConfirmDialog>
      )}
      {showRecordings && <RecordingsDialog roomId={roomId} keeper={keeper} onClose={() => setShowRecordings(false)} />}
    </div>
  );
}

function EmptyState({ link, you, onCreate }: { link: PtyLink; you: PtyYou | null; onCreate: () => void }) {
  if (link.state !== 'connected' || !you) {
    return link.state === 'failed' ? null : (
      <div className="term-empty">
        <div className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Connecting to the terminals…
        </div>
      </div>
    );
  }
  return (
    <div className="term-empty" data-testid="terminal-empty">
      <div>
        <Icon name="terminal" size={28} />
        {canEdit(you.role) ? (
          <>
            <h2>No terminals yet — start one</h2>
            <p className="muted">Everyone in the room sees it live. You drive it; others can raise a hand to ask for control.</p>
            <button type="button" className="btn primary" onClick={onCreate}>
              Start a terminal
            </button>
          </>
        ) : (
          <>
            <h2>Waiting for the host to start a terminal</h2>
            <p className="muted">It will appear here as soon as it starts.</p>
          </>
        )}
      </div>
    </div>
  );
}

/** The socket's trouble, when there is any. */
function LinkBanner({ link, onRetry }: { link: PtyLink; onRetry: () => void }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (link.state !== 'reconnecting') return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [link.state]);
  if (link.state === 'failed') {
    return (
      <div className="term-banner error" role="alert" data-testid="terminal-link" data-state="failed">
        <span>{link.reason}</span>
        <button type="button" className="btn tiny" onClick={() => location.reload()}>
          Reload
        </button>
      </div>
    );
  }
  if (link.state !== 'reconnecting') return null;
  const secs = Math.max(0, Math.ceil((link.retryAt - now) / 1000));
  return (
    <div className="term-banner" role="status" data-testid="terminal-link" data-state="reconnecting">
      <span>
        {link.reason} Reconnecting{secs > 0 ? ` in ${secs}s` : '…'}
        {link.attempt > 1 ? ` (attempt ${link.attempt})` : ''}
      </span>
      <button type="button" className="btn tiny" onClick={onRetry}>
        Retry now
      </button>
    </div>
  );
}
