import { useEffect, useRef } from 'react';
import { basicSetup } from 'codemirror';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import * as Y from 'yjs';
import type { FileSession } from '../FileSession';
import { interactionHandlers, useFollow, watchTopLine } from './follow';
import { loadLanguage } from './language';
import { editorTheme } from './theme';
import { i18next } from '../i18n';

export interface CodeEditorProps {
  session: FileSession;
  readOnly: boolean;
  /** The tab whose caret we keep in view (follow mode), or null. */
  followTab: string | null;
  /** Called when the person clicks or types in the editor (this ends follow mode). */
  onUserInteraction: () => void;
  /** The first line the followed person sees (follow mode), or null. */
  followTop?: number | null;
  /** Called with the first visible line as the person scrolls (for those who follow them). */
  onTopLine?: (line: number) => void;
}

function readOnlyExtension(readOnly: boolean): Extension {
  return [EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)];
}

/**
 * CodeMirror 6 bound to the file's Y.Text: shared text, remote carets and selections labelled
 * with names and colours, Yjs undo (only our own edits), and a language chosen by extension,
 * loaded lazily.
 */
export default function CodeEditor({ session, readOnly, followTab, onUserInteraction, followTop = null, onTopLine }: CodeEditorProps) {
  const parentRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const readOnlyCompartment = useRef(new Compartment()).current;
  const interactionRef = useRef(onUserInteraction);
  const readOnlyRef = useRef(readOnly);
  const topLineRef = useRef(onTopLine);

  useEffect(() => {
    interactionRef.current = onUserInteraction;
    topLineRef.current = onTopLine;
  }, [onUserInteraction, onTopLine]);

  // One EditorView per file.
  useEffect(() => {
    const parent = parentRef.current;
    if (!parent) return;
    const ytext = session.text;
    const undoManager = new Y.UndoManager(ytext);
    const language = new Compartment();
    const view = new EditorView({
      parent,
      state: EditorState.create({
        doc: ytext.toString(),
        extensions: [
          keymap.of(yUndoManagerKeymap),
          basicSetup,
          editorTheme,
          language.of([]),
          readOnlyCompartment.of(readOnlyExtension(readOnlyRef.current)),
          yCollab(ytext, session.provider.awareness, { undoManager }),
          EditorView.contentAttributes.of({ 'aria-label': i18next.t('editor:contents', { path: session.path }) }),
          interactionHandlers(interactionRef),
        ],
      }),
    });
    viewRef.current = view;

    const cancelLanguage = loadLanguage(session.path, language, () => [view]);
    const unwatch = watchTopLine(view, view.scrollDOM, (line) => topLineRef.current?.(line));

    return () => {
      cancelLanguage();
      unwatch();
      viewRef.current = null;
      view.destroy();
      undoManager.destroy();
    };
  }, [session, readOnlyCompartment]);

  // The role can change while the file is open (e.g. a rejoin): reconfigure, do not rebuild.
  useEffect(() => {
    readOnlyRef.current = readOnly;
    viewRef.current?.dispatch({ effects: readOnlyCompartment.reconfigure(readOnlyExtension(readOnly)) });
  }, [readOnly, readOnlyCompartment]);

  // Follow mode: keep the followed person's caret in view as they move, and scroll where they scroll.
  useFollow(session, followTab, followTop, viewRef);

  return <div ref={parentRef} className="code-editor" data-testid="editor" />;
}
