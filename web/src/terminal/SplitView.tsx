import { useRef, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';

/** Smallest share of the space either side keeps, as a fraction. */
export const MIN_SPLIT_RATIO = 0.15;
/** How far one arrow key press moves the divider, as a fraction. */
const KEY_STEP_RATIO = 0.05;

interface Props {
  /** `row`: side by side, divider dragged left/right; `column`: stacked. */
  direction: 'row' | 'column';
  /** Share of the space the first side takes, 0–1. */
  ratio: number;
  onRatio: (ratio: number) => void;
  first: ReactNode;
  /** The second side; null shows the first alone (it stays mounted when the split comes and goes). */
  second: ReactNode | null;
  /** Accessible name of the divider. */
  label: string;
  className?: string;
}

function clampRatio(r: number): number {
  return Math.min(1 - MIN_SPLIT_RATIO, Math.max(MIN_SPLIT_RATIO, r));
}

/** Two regions with a divider that is dragged with the pointer or moved with the arrow keys. */
export function SplitView({ direction, ratio, onRatio, first, second, label, className }: Props) {
  const ref = useRef<HTMLDivElement>(null);

  const onPointerDown = (e: PointerEvent<HTMLDivElement>): void => {
    if (e.button !== 0) return;
    e.preventDefault();
    const handle = e.currentTarget;
    handle.setPointerCapture(e.pointerId);
    const move = (ev: globalThis.PointerEvent): void => {
      const box = ref.current?.getBoundingClientRect();
      if (!box) return;
      onRatio(clampRatio(direction === 'row' ? (ev.clientX - box.left) / box.width : (ev.clientY - box.top) / box.height));
    };
    const up = (): void => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
      handle.removeEventListener('pointercancel', up);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
    handle.addEventListener('pointercancel', up);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const back = direction === 'row' ? 'ArrowLeft' : 'ArrowUp';
    const forward = direction === 'row' ? 'ArrowRight' : 'ArrowDown';
    let next: number | null = null;
    if (e.key === back) next = ratio - KEY_STEP_RATIO;
    else if (e.key === forward) next = ratio + KEY_STEP_RATIO;
    else if (e.key === 'Home') next = MIN_SPLIT_RATIO;
    else if (e.key === 'End') next = 1 - MIN_SPLIT_RATIO;
    if (next === null) return;
    e.preventDefault();
    onRatio(clampRatio(next));
  };

  const split = second !== null;
  return (
    <div ref={ref} className={`split split-${direction}${split ? '' : ' split-single'}${className ? ` ${className}` : ''}`}>
      <div className="split-first" style={split ? { flexBasis: `${ratio * 100}%` } : undefined}>
        {first}
      </div>
      {split && (
        <>
          <div
            role="separator"
            tabIndex={0}
            className="split-handle"
            aria-label={label}
            aria-orientation={direction === 'row' ? 'vertical' : 'horizontal'}
            aria-valuemin={Math.round(MIN_SPLIT_RATIO * 100)}
            aria-valuemax={Math.round((1 - MIN_SPLIT_RATIO) * 100)}
            aria-valuenow={Math.round(ratio * 100)}
            onPointerDown={onPointerDown}
            onKeyDown={onKeyDown}
          />
          <div className="split-second">{second}</div>
        </>
      )}
    </div>
  );
}
