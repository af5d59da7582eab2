import { useRef, type KeyboardEvent } from 'react';
import type { TerminalInfo } from '@coderoom/shared/client';

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
    <div ref={listRef} className="term-tabs" role="tablist" aria-label="Terminals">
      {terminals.map((t, i) => {
        const isSelected = t.id === selected;
        const exited = t.status.state === 'exited';
        return (
          <div key={t.id} className={`term-tab${isSelected ? ' selected' : ''}${t.id === alsoShown ? ' shown' : ''}`}>
            <button
              type="button"
              role="tab"
              id={`term-tab-${t.id}`}
              data-testid="terminal-tab"
              data-terminal-id={t.id}
              aria-selected={isSelected}
              aria-controls={isSelected ? controls : undefined}
              tabIndex={t.id === focusable ? 0 : -1}
              onClick={() => onSelect(t.id)}
              onKeyDown={(e) => onKeyDown(e, i)}
              title={`${t.title}${exited ? ' (exited)' : ''}${t.recording ? ' (recording)' : ''}`}
            >
              {t.recording && <span className="rec-dot" aria-label="recording" />}
              <span className={`term-tab-title${exited ? ' exited' : ''}`}>{t.title}</span>
              {exited && <span className="visually-hidden"> (exited)</span>}
            </button>
            {canClose && (
              <button type="button" className="term-tab-close" tabIndex={-1} onClick={() => onClose(t)} aria-label={`Close ${t.title}`} title={`Close ${t.title}`}>
                ×
              </button>
            )}
          </div>
        );
      })}
    </div>
  );
}
