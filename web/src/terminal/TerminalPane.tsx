import { useEffect, useRef, useState } from 'react';
import type { TerminalInfo } from '@coderoom/shared/client';
import type { PtyClient } from './PtyClient';
import type { XtermView } from './XtermView';
import { Icon } from '../Icon';
import { i18next, useTranslation } from '../i18n';
import { terminalFontPx } from '../prefs';
import { useStore } from '../useStore';
import { TerminalKeys, withCtrl } from './TerminalKeys';

/** How long a pane's size must stay put before a driver sends it, in ms. */
const RESIZE_DEBOUNCE_MS = 80;
/** Least time between two "you are watching" toasts, in ms. */
const WATCHER_TOAST_INTERVAL_MS = 4000;

interface Props {
  client: PtyClient;
  info: TerminalInfo;
  /** Whether we may write to this terminal. */
  driver: boolean;
  /** Whether tabs and controls apply to this pane. */
  active: boolean;
  /** Show a small title bar (when two panes are on screen). */
  showHeader: boolean;
  /** DOM id, for the tabs' aria-controls. */
  id: string;
  onActivate: () => void;
  /** F6 in the terminal: move focus to the tabs. */
  onLeave: () => void;
}

/**
 * One terminal on screen: an xterm fed by the terminal's stream. Drivers fit the pane and send
 * their size; everyone renders at the size the server announces, so a watcher with another
 * window size scrolls instead of seeing a reflowed screen.
 */
export function TerminalPane({ client, info, driver, active, showHeader, id, onActivate, onLeave }: Props) {
  const { t } = useTranslation('terminal');
  const hostRef = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<XtermView | null>(null);
  const [loadError, setLoadError] = useState(false);
  const fontPx = useStore(terminalFontPx);
  /** The on-screen Ctrl key is latched: it applies to the next key typed. */
  const [ctrl, setCtrl] = useState(false);
  // Read by xterm callbacks, which outlive renders.
  const latest = useRef({ driver, info, onLeave, ctrl });
  latest.current = { driver, info, onLeave, ctrl };
  const terminalId = info.id;

  useEffect(() => {
    let disposed = false;
    let created: XtermView | null = null;
    let detach: (() => void) | null = null;
    let lastToast = 0;
    import('./XtermView').then(
      ({ XtermView }) => {
        if (disposed || !hostRef.current) return;
        created = new XtermView(hostRef.current, {
          label: i18next.t('terminal:label', { title: latest.current.info.title }),
          onLeave: () => latest.current.onLeave(),
          fontPx: terminalFontPx.get(),
          onData: (typed) => {
            const { driver: canWrite, info: now, ctrl: ctrlLatched } = latest.current;
            let data = typed;
            if (ctrlLatched) {
              data = withCtrl(typed);
              setCtrl(false);
            }
            if (canWrite && now.status.state === 'running') {
              if (!client.send({ type: 'input', terminalId, data })) client.toast(i18next.t('terminal:toast.notSent'));
            } else if (Date.now() - lastToast > WATCHER_TOAST_INTERVAL_MS) {
              lastToast = Date.now();
              client.toast(i18next.t(canWrite ? 'terminal:toast.exitedType' : 'terminal:toast.watching'));
            }
          },
        });
        created.resize(latest.current.info.cols, latest.current.info.rows);
        detach = client.attach(terminalId, created);
        setView(created);
      },
      () => {
        if (!disposed) setLoadError(true);
      },
    );
    return () => {
      disposed = true;
      detach?.();
      created?.dispose();
      setView(null);
    };
  }, [client, terminalId]);

  useEffect(() => view?.setFontSize(fontPx), [view, fontPx]);

  // Drivers: send our fitted size when the pane changes size (or the font), and when we start driving.
  useEffect(() => {
    const host = hostRef.current;
    if (!view || !host || !driver) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const sendSize = (): void => {
      const size = view.proposeSize();
      const now = latest.current.info;
      if (!size || (size.cols === now.cols && size.rows === now.rows)) return;
      client.send({ type: 'resize', terminalId, cols: size.cols, rows: size.rows });
    };
    const observer = new ResizeObserver(() => {
      clearTimeout(timer);
      timer = setTimeout(sendSize, RESIZE_DEBOUNCE_MS);
    });
    observer.observe(host);
    sendSize();
    return () => {
      clearTimeout(timer);
      observer.disconnect();
    };
  }, [client, view, driver, terminalId, fontPx]);

  const exited = info.status.state === 'exited' ? info.status : null;
  return (
    <section
      id={id}
      className={`term-pane${active ? ' active' : ''}${driver ? ' driving' : ' watching'}`}
      data-testid="terminal-pane"
      data-terminal-id={terminalId}
      aria-label={driver ? info.title : t('watchingLabel', { title: info.title })}
      onPointerDownCapture={onActivate}
      onFocusCapture={onActivate}
    >
      {showHeader && (
        <div className="term-pane-head">
          <Icon name="terminal" size={14} />
          <span className="term-pane-title">{info.title}</span>
          <span className="term-pane-size muted">
            {info.cols}×{info.rows}
          </span>
          {!driver && <span className="pill">{t('watching')}</span>}
        </div>
      )}
      <div className="term-viewport">
        <div ref={hostRef} className="term-host" />
        {!view && !loadError && (
          <div className="term-loading loading" role="status">
            <span className="spinner" aria-hidden="true" />
            {t('loading')}
          </div>
        )}
        {loadError && (
          <p className="term-loading form-error" role="alert">
            {t('loadFailed')}
          </p>
        )}
      </div>
      {driver && !exited && (
        <TerminalKeys
          ctrl={ctrl}
          onCtrl={setCtrl}
          onKey={(data) => {
            setCtrl(false);
            if (!client.send({ type: 'input', terminalId, data })) client.toast(i18next.t('terminal:toast.notSent'));
            view?.focus();
          }}
        />
      )}
      {exited && (
        <div className="term-exit" data-testid="terminal-exit" role="status">
          <span>
            {exited.signal !== null ? t('exitSignal', { code: exited.code, signal: exited.signal }) : t('exitCode', { code: exited.code })}
          </span>
          {driver ? (
            <button type="button" className="btn tiny primary" data-testid="terminal-restart" onClick={() => client.request({ type: 'restart', terminalId })}>
              <Icon name="restart" size={14} />
              {t('restart')}
            </button>
          ) : (
            <span className="muted">{t('driverCanRestart')}</span>
          )}
        </div>
      )}
    </section>
  );
}
