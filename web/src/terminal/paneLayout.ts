/** How the terminal area is divided: one pane, two side by side (`row`), or two stacked (`column`). */
export type SplitMode = 'single' | 'row' | 'column';

/** Which terminal each pane shows, and which pane tab clicks go to. */
export interface PaneLayout {
  split: SplitMode;
  /** Terminal shown by each pane (the second is unused when `single`). */
  panes: readonly [string | null, string | null];
  /** The pane that tabs, controls and new terminals apply to. */
  active: 0 | 1;
}

export const INITIAL_LAYOUT: PaneLayout = { split: 'single', panes: [null, null], active: 0 };

/** Number of panes on screen. */
export function paneCount(l: PaneLayout): 1 | 2 {
  return l.split === 'single' ? 1 : 2;
}

/** Shows `id` in pane `pane` (the active one by default); if the other pane showed it, they swap. */
export function showTerminal(l: PaneLayout, id: string, pane: 0 | 1 = l.active): PaneLayout {
  const other = pane === 0 ? 1 : 0;
  const panes: [string | null, string | null] = [l.panes[0], l.panes[1]];
  if (paneCount(l) === 2 && panes[other] === id) panes[other] = panes[pane];
  panes[pane] = id;
  return { ...l, panes, active: pane };
}

/**
 * Splits in `mode` (or unsplits when already split that way). The new second pane shows `next`
 * (a terminal not on screen yet) or nothing until one is picked or created.
 */
export function toggleSplit(l: PaneLayout, mode: Exclude<SplitMode, 'single'>, next: string | null): PaneLayout {
  if (l.split === mode) return { split: 'single', panes: [l.panes[l.active], null], active: 0 };
  if (l.split !== 'single') return { ...l, split: mode };
  return { split: mode, panes: [l.panes[0], next], active: 1 };
}

/** A terminal that no pane shows, to fill an empty pane with. */
export function unshown(l: PaneLayout, ids: readonly string[]): string | null {
  return ids.find((id) => id !== l.panes[0] && (paneCount(l) === 1 || id !== l.panes[1])) ?? null;
}

/**
 * Brings the layout in line with the room's terminals: panes whose terminal was closed take
 * another one (or collapse the split when none is left), and an empty first pane takes one.
 */
export function reconcile(l: PaneLayout, ids: readonly string[]): PaneLayout {
  const alive = (id: string | null): string | null => (id !== null && ids.includes(id) ? id : null);
  let panes: [string | null, string | null] = [alive(l.panes[0]), paneCount(l) === 2 ? alive(l.panes[1]) : null];
  const lost = (l.panes[0] !== null && panes[0] === null) || (paneCount(l) === 2 && l.panes[1] !== null && panes[1] === null);
  let next: PaneLayout = { ...l, panes };
  if (panes[0] === null) {
    panes = [unshown(next, ids), panes[1]];
    next = { ...next, panes };
  }
  if (paneCount(next) === 2 && panes[1] === null && lost) {
    const fill = unshown(next, ids);
    if (fill === null) return { split: 'single', panes: [panes[0], null], active: 0 };
    next = { ...next, panes: [panes[0], fill] };
  }
  if (next.panes[0] === l.panes[0] && next.panes[1] === l.panes[1]) return l;
  return next;
}
