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
import { useTranslation } from '../i18n';
import { formatDuration } from '../format';
import { TERMINAL_FONT_MAX_PX, TERMINAL_FONT_MIN_PX, terminalFontPx, terminalSplitRatio } from '../prefs';

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
  const { t } = useTranslation('terminal');
  const link = useStore(client.link);
  const you = useStore(client.you);
  const terminals = useStore(client.terminals);
  const toasts = useStore(client.toasts);
  const [layout, setLayout] = useState<PaneLayout>(INITIAL_LAYOUT);
  const ratio = useStore(terminalSplitRatio);
  const fontPx = useStore(terminalFontPx);
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
          <p className="muted">{terminals.length > count - 1 ? t('pickTab') : mayCreate ? t('noOther') : t('onlyOne')}</p>
          {mayCreate && (
            <button type="button" className="btn tiny" onClick={() => create(index)} disabled={!connected}>
              <Icon name="terminal" size={14} /> {t('newHere')}
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
    <div ref={rootRef} id="room-terminals" className="term-panel" data-testid="terminal-panel" aria-label={t('panel')} role="region">
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
          <button type="button" className="icon-btn" data-testid="terminal-new" onClick={() => create(layout.active)} disabled={!connected} aria-label={t('new')} title={t('new')}>
            <Icon name="plus" size={18} />
          </button>
        )}
        <div className="term-bar-spacer" />
        <button type="button" className="icon-btn font-btn" data-testid="terminal-font-smaller" onClick={() => terminalFontPx.set(fontPx - 1)} disabled={fontPx <= TERMINAL_FONT_MIN_PX} title={t('keys.fontSmaller')}>
          <span aria-hidden="true">A−</span>
          <span className="visually-hidden">{t('keys.fontSmaller')}</span>
        </button>
        <button type="button" className="icon-btn font-btn" data-testid="terminal-font-larger" onClick={() => terminalFontPx.set(fontPx + 1)} disabled={fontPx >= TERMINAL_FONT_MAX_PX} title={t('keys.fontBigger')}>
          <span aria-hidden="true">A+</span>
          <span className="visually-hidden">{t('keys.fontBigger')}</span>
        </button>
        <button
          type="button"
          className={layout.split === 'row' ? 'icon-btn on' : 'icon-btn'}
          data-testid="terminal-split-h"
          aria-pressed={layout.split === 'row'}
          onClick={() => split('row')}
          disabled={terminals.length === 0}
          aria-label={t('splitRow')}
          title={t('splitRow')}
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
          aria-label={t('splitColumn')}
          title={t('splitColumn')}
        >
          <Icon name="splitColumn" />
        </button>
        <button type="button" className="icon-btn" data-testid="terminal-recordings" onClick={() => setShowRecordings(true)} aria-label={t('recordings')} title={t('recordings')}>
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
            onRatio={(r) => terminalSplitRatio.set(r)}
            label={t('resizePanes')}
            className="term-split"
            first={renderPane(0)}
            second={count === 2 ? renderPane(1) : null}
          />
        )}
        <Toasts client={client} toasts={toasts} />
      </div>

      {closing && (
        <ConfirmDialog
          title={t('closeTitle', { title: closing.title })}
          confirmLabel={t('closeConfirm')}
          onCancel={() => setClosing(null)}
          onConfirm={() => {
            client.request({ type: 'closeTerminal', terminalId: closing.id });
            setClosing(null);
          }}
        >
          {t('closeBody')}
        </ConfirmDialog>
      )}
      {showRecordings && <RecordingsDialog roomId={roomId} keeper={keeper} onClose={() => setShowRecordings(false)} />}
    </div>
  );
}

function EmptyState({ link, you, onCreate }: { link: PtyLink; you: PtyYou | null; onCreate: () => void }) {
  const { t } = useTranslation('terminal');
  if (link.state !== 'connected' || !you) {
    return link.state === 'failed' ? null : (
      <div className="term-empty">
        <div className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> {t('connecting')}
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
            <h2>{t('emptyTitle')}</h2>
            <p className="muted">{t('emptyText')}</p>
            <button type="button" className="btn primary" onClick={onCreate}>
              {t('start')}
            </button>
          </>
        ) : (
          <>
            <h2>{t('waitingTitle')}</h2>
            <p className="muted">{t('waitingText')}</p>
          </>
        )}
      </div>
    </div>
  );
}

/** The socket's trouble, when there is any. */
function LinkBanner({ link, onRetry }: { link: PtyLink; onRetry: () => void }) {
  const { t, i18n } = useTranslation('terminal');
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (link.state !== 'reconnecting') return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [link.state]);
  if (link.state === 'failed') {
    return (
      <div className="term-banner error" role="alert" data-testid="terminal-link" data-state="failed">
        <span>{link.reason}</span>
        <button type="button" className="btn tiny" onClick={() => location.reload()}>
          {t('common:actions.reload')}
        </button>
      </div>
    );
  }
  if (link.state !== 'reconnecting') return null;
  const secs = Math.max(0, Math.ceil((link.retryAt - now) / 1000));
  return (
    <div className="term-banner" role="status" data-testid="terminal-link" data-state="reconnecting">
      <span>
        {secs > 0 ? t('reconnectingIn', { reason: link.reason, seconds: formatDuration(secs, i18n.language) }) : t('reconnectingNow', { reason: link.reason })}
        {link.attempt > 1 ? ` ${t('attempt', { n: link.attempt })}` : ''}
      </span>
      <button type="button" className="btn tiny" onClick={onRetry}>
        {t('common:actions.retryNow')}
      </button>
    </div>
  );
}
