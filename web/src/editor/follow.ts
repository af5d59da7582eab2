import { useEffect, type RefObject } from 'react';
import type { Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import * as Y from 'yjs';
import type { FileSession } from '../FileSession';

/**
 * Follow mode: keeps the followed tab's caret in view as it moves (from the file's awareness, so
 * it works in the editor and the diff alike). Returns the function that stops it.
 */
export function followCaret(session: FileSession, followTab: string, view: () => EditorView | null): () => void {
  const awareness = session.provider.awareness;
  if (!awareness) return () => {};
  let last = -1;
  const scrollToCaret = (): void => {
    const v = view();
    if (!v) return;
    for (const state of awareness.getStates().values()) {
      if (state.tab !== followTab) continue;
      const head = (state.cursor as { head?: unknown } | null | undefined)?.head;
      if (!head) return;
      const pos = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(head), session.doc);
      if (!pos || pos.type !== session.text) return;
      const index = Math.min(pos.index, v.state.doc.length);
      if (index === last) return;
      last = index;
      v.dispatch({ effects: EditorView.scrollIntoView(index, { y: 'nearest' }) });
      return;
    }
  };
  scrollToCaret();
  awareness.on('change', scrollToCaret);
  // Their caret may sit in text that only just arrived.
  session.doc.on('afterTransaction', scrollToCaret);
  return () => {
    awareness.off('change', scrollToCaret);
    session.doc.off('afterTransaction', scrollToCaret);
  };
}

/** The first line wholly visible in `scroller` (the element that scrolls `view`). */
export function topLine(view: EditorView, scroller: HTMLElement): number {
  const height = Math.max(0, scroller.getBoundingClientRect().top - view.documentTop);
  const block = view.lineBlockAtHeight(height);
  const line = view.state.doc.lineAt(block.from).number;
  // A line cut at the top edge is not the one to show first.
  return block.top < height - 1 && line < view.state.doc.lines ? line + 1 : line;
}

/** Scrolls so that `line` is the first visible one. */
export function scrollToLine(view: EditorView, line: number): void {
  const n = Math.min(Math.max(1, line), view.state.doc.lines);
  view.dispatch({ effects: EditorView.scrollIntoView(view.state.doc.line(n).from, { y: 'start' }) });
}

/** Reports the first visible line whenever `scroller` scrolls (throttled to one per frame). */
export function watchTopLine(view: EditorView, scroller: HTMLElement, onTop: (line: number) => void): () => void {
  let frame = 0;
  const onScroll = (): void => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      onTop(topLine(view, scroller));
    });
  };
  scroller.addEventListener('scroll', onScroll, { passive: true });
  return () => {
    scroller.removeEventListener('scroll', onScroll);
    cancelAnimationFrame(frame);
  };
}

/** What a view needs for follow mode, passed down together. */
export interface FollowProps {
  /** The tab we follow, or null. */
  followTab: string | null;
  /** The first line the followed person sees, or null. */
  followTop: number | null;
  /** Called with our first visible line as we scroll (for those who follow us). */
  onTopLine: (line: number) => void;
  /** Called when the person clicks or types in the view (this ends follow mode). */
  onUserInteraction: () => void;
}

/** Calls `onInteract()` (through a ref, so it may change) when the person clicks or types in the view. */
export function interactionHandlers(onInteract: RefObject<() => void>): Extension {
  return EditorView.domEventHandlers({
    mousedown: () => {
      onInteract.current();
      return false;
    },
    keydown: () => {
      onInteract.current();
      return false;
    },
  });
}

/** Follow mode for a view: the followed tab's caret stays in view, and their first visible line is ours. */
export function useFollow(session: FileSession, followTab: string | null, followTop: number | null, view: RefObject<EditorView | null>): void {
  useEffect(() => {
    if (!followTab) return;
    return followCaret(session, followTab, () => view.current);
  }, [session, followTab, view]);
  useEffect(() => {
    if (followTab && followTop !== null && view.current) scrollToLine(view.current, followTop);
  }, [followTab, followTop, view]);
}
