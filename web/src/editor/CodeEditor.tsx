import { useEffect, useRef } from 'react';
import { basicSetup } from 'codemirror';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { LanguageDescription } from '@codemirror/language';
import { languages } from '@codemirror/language-data';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import * as Y from 'yjs';
import type { FileSession } from '../FileSession';
import { editorTheme } from './theme';
import { i18next } from '../i18n';

export interface CodeEditorProps {
  session: FileSession;
  readOnly: boolean;
  /** The tab whose caret we keep in view (follow mode), or null. */
  followTab: string | null;
  /** Called when the person clicks or types in the editor (this ends follow mode). */
  onUserInteraction: () => void;
}

function readOnlyExtension(readOnly: boolean): Extension {
  return [EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)];
}

/**
 * CodeMirror 6 bound to the file's Y.Text: shared text, remote carets and selections labelled
 * with names and colours, Yjs undo (only our own edits), and a language chosen by extension,
 * loaded lazily.
 */
export default function CodeEditor({ session, readOnly, followTab, onUserInteraction }: CodeEditorProps) {
  const parentRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const readOnlyCompartment = useRef(new Compartment()).current;
  const interactionRef = useRef(onUserInteraction);
  const readOnlyRef = useRef(readOnly);

  useEffect(() => {
    interactionRef.current = onUserInteraction;
  }, [onUserInteraction]);

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
          EditorView.domEventHandlers({
            mousedown: () => {
              interactionRef.current();
              return false;
            },
            keydown: () => {
              interactionRef.current();
              return false;
            },
          }),
        ],
      }),
    });
    viewRef.current = view;

    let cancelled = false;
    const description = LanguageDescription.matchFilename(languages, session.path);
    if (description) {
      description
        .load()
        .then((support) => {
          if (!cancelled) view.dispatch({ effects: language.reconfigure(support) });
        })
        .catch(() => {
          // The language chunk could not load (offline?): plain text still works.
        });
    }

    return () => {
      cancelled = true;
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

  // Follow mode: keep the followed person's caret in view as they move.
  useEffect(() => {
    const awareness = session.provider.awareness;
    if (!followTab || !awareness) return;
    let last = -1;
    const scrollToCaret = (): void => {
      const view = viewRef.current;
      if (!view) return;
      for (const state of awareness.getStates().values()) {
        if (state.tab !== followTab) continue;
        const head = (state.cursor as { head?: unknown } | null | undefined)?.head;
        if (!head) return;
        const pos = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(head), session.doc);
        if (!pos || pos.type !== session.text) return;
        const index = Math.min(pos.index, view.state.doc.length);
        if (index === last) return;
        last = index;
        view.dispatch({ effects: EditorView.scrollIntoView(index, { y: 'center' }) });
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
  }, [session, followTab]);

  return <div ref={parentRef} className="code-editor" data-testid="editor" />;
}
