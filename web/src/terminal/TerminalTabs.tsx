import { useRef, type KeyboardEvent } from 'react';
import type { TerminalInfo } from '@coderoom/shared/client';
import { useTranslation } from '../i18n';

interface Props {
  terminals: readonly TerminalInfo[];
  /** The terminal of the active pane (the selected tab). */
  selected: string | null;
  /** Terminals on screen in another pane. */
  alsoShown: string | null;
  /** DOM id of the active pane. */
  controls: string;
  canClose: boolean;
  onSelect: (id: string) => void;
  onClose: (t: TerminalInfo) => void;
}

/**
 * One tab per terminal (a tablist with roving focus: arrows, Home, End; Delete closes for
 * hosts). Selecting a tab shows that terminal in the active pane.
 */
export function TerminalTabs({ terminals, selected, alsoShown, controls, canClose, onSelect, onClose }: Props) {
  const { t } = useTranslation('terminal');
  const listRef = useRef<HTMLDivElement>(null);

  const focusTab = (id: string): void => {
    listRef.current?.querySelector<HTMLElement>(`[role=tab][data-terminal-id="${CSS.escape(id)}"]`)?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLElement>, index: number): void => {
    let next: number | null = null;
    if (e.key === 'ArrowRight') next = (index + 1) % terminals.length;
    else if (e.key === 'ArrowLeft') next = (index - 1 + terminals.length) % terminals.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = terminals.length - 1;
    else if (e.key === 'Delete' && canClose) {
      e.preventDefault();
      onClose(terminals[index]!);
      return;
    }
    if (next === null) return;
    e.preventDefault();
    const t = terminals[next]!;
    onSelect(t.id);
    focusTab(t.id);
  };

  const focusable = selected ?? terminals[0]?.id;
  return (
    <div ref={listRef} className="term-tabs" role="tablist" aria-label={t('tabs')}>
      {terminals.map((term, i) => {
        const isSelected = term.id === selected;
        const exited = term.status.state === 'exited';
        return (
          <div key={term.id} className={`term-tab${isSelected ? ' selected' : ''}${term.id === alsoShown ? ' shown' : ''}`}>
            <button
              type="button"
              role="tab"
              id={`term-tab-${term.id}`}
              data-testid="terminal-tab"
              data-terminal-id={term.id}
              aria-selected={isSelected}
              aria-controls={isSelected ? controls : undefined}
              tabIndex={term.id === focusable ? 0 : -1}
              onClick={() => onSelect(term.id)}
              onKeyDown={(e) => onKeyDown(e, i)}
              title={`${term.title}${exited ? t('exited') : ''}${term.recording ? t('recordingSuffix') : ''}`}
            >
              {term.recording && <span className="rec-dot" role="img" aria-label={t('recording')} />}
              <span className={`term-tab-title${exited ? ' exited' : ''}`}>{term.title}</span>
              {exited && <span className="visually-hidden">{t('exited')}</span>}
            </button>
            {canClose && (
              // A pointer shortcut only (keyboard: Delete on the tab), hidden from the tablist's accessibility tree.
              <button type="button" className="term-tab-close" tabIndex={-1} aria-hidden="true" onClick={() => onClose(term)} title={t('closeTab', { title: term.title })}>
                ×
              </button>
            )}
          </div>
        );
      })}
    </div>
  );
}
