import { useEffect, useRef } from 'react';
import { basicSetup } from 'codemirror';
import { Compartment, EditorState, Prec, type Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { MergeView, unifiedMergeView } from '@codemirror/merge';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import * as Y from 'yjs';
import type { FileSession } from '../FileSession';
import { interactionHandlers, useFollow, watchTopLine, type FollowProps } from '../editor/follow';
import { loadLanguage } from '../editor/language';
import { editorTheme } from '../editor/theme';
import { useTranslation } from '../i18n';
import { setGutterThreads, threadGutter, type GutterThread } from './threadGutter';

/** Lines `fromLine`..`toLine` chosen in the diff (1-based, inclusive). */
export interface LineRange {
  fromLine: number;
  toLine: number;
}

/** The key that comments on the selected lines. */
export const COMMENT_KEY = 'Mod-Alt-c';

export interface DiffViewProps {
  session: FileSession;
  /** The file at the base; '' when it did not exist there. */
  original: string;
  layout: 'split' | 'unified';
  readOnly: boolean;
  threads: readonly GutterThread[];
  onOpenThread: (id: string) => void;
  /** Scrolls to and selects this line (a new `seq` each time it is asked for). */
  reveal: { line: number; seq: number } | null;
  onSelectLines: (range: LineRange) => void;
  /** The comment key was pressed. */
  onComment: () => void;
  follow: FollowProps;
}

/** The lines a selection covers; a selection ending at the start of a line leaves that line out. */
function selectedLines(state: EditorState): LineRange {
  const { from, to } = state.selection.main;
  const first = state.doc.lineAt(from).number;
  let last = state.doc.lineAt(to).number;
  if (to > from && state.doc.lineAt(to).from === to) last--;
  return { fromLine: first, toLine: Math.max(first, last) };
}

/** Read-only, yet focusable: keyboard users still move through the lines and select them to comment. */
function readOnlyExtension(readOnly: boolean): Extension {
  return EditorState.readOnly.of(readOnly);
}

/**
 * The live file (its Y.Text, edited together as in the editor) against the base, with
 * @codemirror/merge: side by side (`MergeView`, the base read-only on the left) or unified
 * (`unifiedMergeView`, deleted lines shown inline). Line numbers of the live side are the
 * file's, so review threads sit in its gutter.
 */
export default function DiffView(props: DiffViewProps) {
  const { t } = useTranslation('review');
  const { session, original, layout, readOnly, threads, follow } = props;
  const parentRef = useRef<HTMLDivElement>(null);
  const liveRef = useRef<EditorView | null>(null);
  const propsRef = useRef(props);
  const readOnlyCompartment = useRef(new Compartment()).current;
  const readOnlyRef = useRef(readOnly);
  const threadsRef = useRef(threads);
  const tRef = useRef(t);
  const interactionRef = useRef(follow.onUserInteraction);
  useEffect(() => {
    propsRef.current = props;
    tRef.current = t;
    interactionRef.current = props.follow.onUserInteraction;
  });

  useEffect(() => {
    const parent = parentRef.current;
    if (!parent) return;
    const ytext = session.text;
    const undoManager = new Y.UndoManager(ytext);
    const language = new Compartment();
    const interaction = interactionHandlers(interactionRef);
    const liveExtensions: Extension[] = [
      Prec.high(keymap.of([{ key: COMMENT_KEY, run: () => (propsRef.current.onComment(), true) }])),
      keymap.of(yUndoManagerKeymap),
      basicSetup,
      editorTheme,
      EditorView.lineWrapping,
      language.of([]),
      readOnlyCompartment.of(readOnlyExtension(readOnlyRef.current)),
      yCollab(ytext, session.provider.awareness, { undoManager }),
      threadGutter(
        (id) => propsRef.current.onOpenThread(id),
        (n) => tRef.current('gutter.threads', { n }),
      ),
      EditorView.updateListener.of((u) => {
        if (u.selectionSet || u.docChanged) propsRef.current.onSelectLines(selectedLines(u.state));
      }),
      EditorView.contentAttributes.of({ 'aria-label': tRef.current('diff.liveLabel', { path: session.path }) }),
      interaction,
    ];
    let live: EditorView;
    let scroller: HTMLElement;
    let views: EditorView[];
    let destroy: () => void;
    if (layout === 'unified') {
      live = new EditorView({ parent, state: EditorState.create({ doc: ytext.toString(), extensions: [...liveExtensions, unifiedMergeView({ original, mergeControls: false })] }) });
      scroller = live.scrollDOM;
      views = [live];
      destroy = () => live.destroy();
    } else {
      const merge = new MergeView({
        parent,
        a: {
          doc: original,
          extensions: [basicSetup, editorTheme, EditorView.lineWrapping, language.of([]), readOnlyExtension(true), EditorView.contentAttributes.of({ 'aria-label': tRef.current('diff.baseLabel', { path: session.path }) })],
        },
        b: { doc: ytext.toString(), extensions: liveExtensions },
        gutter: true,
      });
      live = merge.b;
      scroller = merge.dom;
      views = [merge.a, merge.b];
      destroy = () => merge.destroy();
    }
    liveRef.current = live;
    live.dispatch({ effects: setGutterThreads.of(threadsRef.current) });
    propsRef.current.onSelectLines(selectedLines(live.state));
    const cancelLanguage = loadLanguage(session.path, language, () => views);
    const unwatch = watchTopLine(live, scroller, (line) => propsRef.current.follow.onTopLine(line));
    return () => {
      cancelLanguage();
      unwatch();
      liveRef.current = null;
      destroy();
      undoManager.destroy();
    };
  }, [session, original, layout, readOnlyCompartment]);

  useEffect(() => {
    threadsRef.current = threads;
    liveRef.current?.dispatch({ effects: setGutterThreads.of(threads) });
  }, [threads]);

  useEffect(() => {
    readOnlyRef.current = readOnly;
    liveRef.current?.dispatch({ effects: readOnlyCompartment.reconfigure(readOnlyExtension(readOnly)) });
  }, [readOnly, readOnlyCompartment]);

  const { reveal } = props;
  useEffect(() => {
    const view = liveRef.current;
    if (!reveal || !view) return;
    const line = view.state.doc.line(Math.min(reveal.line, view.state.doc.lines));
    view.dispatch({ selection: { anchor: line.from }, effects: EditorView.scrollIntoView(line.from, { y: 'center' }) });
    view.focus();
  }, [reveal]);

  useFollow(session, follow.followTab, follow.followTop, liveRef);

  return <div ref={parentRef} className={`review-diff ${layout}`} data-testid="review-diff" data-layout={layout} />;
}
