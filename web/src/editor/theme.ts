import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { EditorView } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';
import type { Extension } from '@codemirror/state';

/** The editor's dark chrome, matching the app's palette. */
const chrome = EditorView.theme(
  {
    '&': { color: '#d7dde8', backgroundColor: 'var(--editor-bg)', height: '100%', fontSize: '14px' },
    '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.55' },
    // Room above the first line for a remote caret's name tag.
    '.cm-content': { caretColor: '#ffffff', padding: '18px 0 10px' },
    '.cm-cursor, .cm-dropCursor': { borderLeftColor: '#ffffff', borderLeftWidth: '2px' },
    '&.cm-focused': { outline: 'none' },
    '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection':
      { backgroundColor: '#2f4a78' },
    '.cm-activeLine': { backgroundColor: '#ffffff08' },
    '.cm-gutters': { backgroundColor: 'var(--editor-bg)', color: '#6b7689', border: 'none', borderRight: '1px solid var(--border)' },
    '.cm-activeLineGutter': { backgroundColor: '#ffffff0a', color: '#b8c1d1' },
    '.cm-foldPlaceholder': { backgroundColor: 'transparent', border: 'none', color: '#8b96a8' },
    '.cm-tooltip': { border: '1px solid var(--border)', backgroundColor: 'var(--panel)', color: 'var(--text)' },
    '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: '#2f4a78', color: '#ffffff' },
    '.cm-panels': { backgroundColor: 'var(--panel)', color: 'var(--text)' },
    '.cm-panels.cm-panels-top': { borderBottom: '1px solid var(--border)' },
    '.cm-searchMatch': { backgroundColor: '#e6cf5c33', outline: '1px solid #e6cf5c88' },
    '.cm-searchMatch.cm-searchMatch-selected': { backgroundColor: '#e6cf5c66' },
    '.cm-selectionMatch': { backgroundColor: '#ffffff14' },
    '&.cm-focused .cm-matchingBracket': { backgroundColor: '#ffffff1f', outline: '1px solid #ffffff40' },
    // Remote carets: always show the name tag (y-codemirror only shows it on hover).
    '.cm-ySelectionInfo': {
      opacity: '1',
      fontFamily: 'var(--sans)',
      fontWeight: '600',
      fontSize: '11px',
      lineHeight: '1.35',
      color: '#0d1117',
      padding: '0 4px',
      borderRadius: '3px 3px 3px 0',
      top: '-1.4em',
    },
    '.cm-ySelectionCaret': { borderLeftWidth: '2px', borderRightWidth: '0', marginLeft: '-1px' },
  },
  { dark: true },
);

/** Syntax colours with good contrast on the dark background. */
const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.modifier, t.operatorKeyword, t.controlKeyword], color: '#c792ea' },
  { tag: [t.string, t.special(t.string), t.regexp], color: '#a5d6a7' },
  { tag: [t.number, t.bool, t.null, t.atom], color: '#f5a65b' },
  { tag: [t.comment, t.lineComment, t.blockComment, t.docComment], color: '#7f8aa0', fontStyle: 'italic' },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], color: '#82aaff' },
  { tag: [t.typeName, t.className, t.namespace], color: '#ffcb6b' },
  { tag: [t.propertyName, t.attributeName], color: '#89ddff' },
  { tag: [t.definition(t.variableName)], color: '#e5e9f0' },
  { tag: [t.tagName], color: '#f07178' },
  { tag: [t.heading], color: '#82aaff', fontWeight: 'bold' },
  { tag: [t.emphasis], fontStyle: 'italic' },
  { tag: [t.strong], fontWeight: 'bold' },
  { tag: [t.link, t.url], color: '#89ddff', textDecoration: 'underline' },
  { tag: [t.invalid], color: '#ff5370' },
  { tag: [t.meta, t.processingInstruction], color: '#b8c1d1' },
  { tag: [t.operator, t.punctuation], color: '#aeb8c8' },
]);

/** The editor's theme: chrome plus syntax colours. */
export const editorTheme: Extension = [chrome, syntaxHighlighting(highlight)];
