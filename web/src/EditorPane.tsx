import { lazy, Suspense } from 'react';
import type { FileSession } from './FileSession';
import { useStore } from './useStore';
import { useTranslation } from './i18n';

// CodeMirror, y-codemirror and the language list load only when a file is opened.
const CodeEditor = lazy(() => import('./editor/CodeEditor'));

interface Props {
  session: FileSession | null;
  readOnly: boolean;
  followTab: string | null;
  /** The first line the followed person sees (follow mode), or null. */
  followTop: number | null;
  /** Called with the first visible line as the person scrolls. */
  onTopLine: (line: number) => void;
  onUserInteraction: () => void;
  /** Opens the sidebar (shown on phones, where it is collapsed). */
  onShowFiles: () => void;
  editable: boolean;
}

/** The centre of the room: the open file's editor, or a hint when none is open. */
export function EditorPane({ session, readOnly, followTab, followTop, onTopLine, onUserInteraction, onShowFiles, editable }: Props) {
  const { t } = useTranslation('editor');
  if (!session) {
    return (
      <div className="editor-empty">
        <div>
          <h2>{t('noFile')}</h2>
          <p className="muted">{editable ? t('pickEditable') : t('pickViewer')}</p>
          <button type="button" className="btn show-narrow" onClick={onShowFiles}>
            {t('showFiles')}
          </button>
        </div>
      </div>
    );
  }
  return <OpenFile key={session.path} session={session} readOnly={readOnly} followTab={followTab} followTop={followTop} onTopLine={onTopLine} onUserInteraction={onUserInteraction} />;
}

function OpenFile({ session, readOnly, followTab, followTop, onTopLine, onUserInteraction }: Omit<Props, 'onShowFiles' | 'editable' | 'session'> & { session: FileSession }) {
  const { t } = useTranslation('editor');
  const error = useStore(session.error);
  const loaded = useStore(session.loaded);
  return (
    <div className="editor-frame">
      <div className="editor-tabbar">
        <span className="mono editor-path" title={session.path}>
          {session.path}
        </span>
        {readOnly && <span className="pill">{t('readOnly')}</span>}
        {!loaded && !error && <span className="pill muted">{t('loading')}</span>}
      </div>
      {error ? (
        <div className="editor-empty" role="alert">
          <div>
            <h2>{t('openFailed')}</h2>
            <p className="muted">{t('openFailedDetail', { error })}</p>
          </div>
        </div>
      ) : (
        <Suspense fallback={<div className="editor-loading muted">{t('loadingEditor')}</div>}>
          <CodeEditor session={session} readOnly={readOnly} followTab={followTab} followTop={followTop} onTopLine={onTopLine} onUserInteraction={onUserInteraction} />
        </Suspense>
      )}
    </div>
  );
}
