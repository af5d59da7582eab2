import type { Compartment } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import { LanguageDescription } from '@codemirror/language';
import { languages } from '@codemirror/language-data';

/**
 * Loads the language of `path` (chosen by extension, loaded lazily) into `compartment` of each
 * view; returns a function that cancels it (call it when the views go away).
 */
export function loadLanguage(path: string, compartment: Compartment, views: () => readonly EditorView[]): () => void {
  let cancelled = false;
  const description = LanguageDescription.matchFilename(languages, path);
  description
    ?.load()
    .then((support) => {
      if (!cancelled) for (const view of views()) view.dispatch({ effects: compartment.reconfigure(support) });
    })
    .catch(() => {
      // The language chunk could not load (offline?): plain text still works.
    });
  return () => {
    cancelled = true;
  };
}
