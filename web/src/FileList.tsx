import { useState } from 'react';
import { ApiError } from './api';
import { ConfirmDialog } from './ConfirmDialog';
import { Icon } from './Icon';
import { PathInput } from './PathInput';
import type { FileItem } from './RoomConnection';
import { errorMessage } from './errorMessage';
import { Trans, useTranslation } from './i18n';

interface Props {
  files: readonly FileItem[];
  loaded: boolean;
  currentPath: string | null;
  /** Whether we may create, rename and delete (viewers may not). */
  editable: boolean;
  onOpen: (path: string) => void;
  onCreate: (path: string) => Promise<void>;
  onRename: (from: string, to: string) => Promise<void>;
  onDelete: (path: string) => Promise<void>;
}

/** The room's files: open one, and (for editors) create, rename and delete them. */
export function FileList({ files, loaded, currentPath, editable, onOpen, onCreate, onRename, onDelete }: Props) {
  const { t } = useTranslation('room');
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [deleteBusy, setDeleteBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const paths = files.map((f) => f.path);

  async function confirmDelete() {
    if (!deleting) return;
    setDeleteBusy(true);
    setDeleteError(null);
    try {
      await onDelete(deleting);
      setDeleting(null);
    } catch (err) {
      setDeleteError(err instanceof ApiError ? errorMessage(err) : t('files.deleteFailed'));
    } finally {
      setDeleteBusy(false);
    }
  }

  return (
    <section className="panel files-panel" aria-labelledby="files-title">
      <div className="panel-head">
        <h2 id="files-title">{t('files.title')}</h2>
        {editable && (
          <button type="button" className="btn tiny" onClick={() => setCreating(true)} aria-label={t('files.newLabel')} data-testid="new-file-button" disabled={creating}>
            <Icon name="plus" size={14} /> {t('files.new')}
          </button>
        )}
      </div>
      {creating && (
        <PathInput
          label={t('files.newName')}
          initial=""
          taken={paths}
          testId="new-file-input"
          onCancel={() => setCreating(false)}
          onSubmit={async (path) => {
            await onCreate(path);
            setCreating(false);
          }}
        />
      )}
      <ul className="file-list" data-testid="file-list" aria-label={t('files.list')}>
        {files.map(({ path, entry }) => (
          <li key={path} className={path === currentPath ? 'file-item current' : 'file-item'} data-testid="file-item" data-path={path}>
            {renaming === path ? (
              <PathInput
                label={t('files.renameTo', { path })}
                initial={path}
                taken={paths.filter((p) => p !== path)}
                testId="rename-file-input"
                onCancel={() => setRenaming(null)}
                onSubmit={async (to) => {
                  await onRename(path, to);
                  setRenaming(null);
                }}
              />
            ) : (
              <>
                <button
                  type="button"
                  className="file-open"
                  onClick={() => onOpen(path)}
                  aria-current={path === currentPath ? 'true' : undefined}
                  title={t('files.createdBy', { path, name: entry.createdBy })}
                >
                  <FileName path={path} />
                </button>
                {editable && (
                  <span className="file-actions">
                    <button type="button" className="icon-btn" onClick={() => setRenaming(path)} aria-label={t('files.renameLabel', { path })} title={t('files.rename')} data-testid="rename-file-button">
                      <Icon name="pencil" />
                    </button>
                    <button
                      type="button"
                      className="icon-btn"
                      onClick={() => {
                        setDeleteError(null);
                        setDeleting(path);
                      }}
                      aria-label={t('files.deleteLabel', { path })}
                      title={t('files.delete')}
                      data-testid="delete-file-button"
                    >
                      <Icon name="trash" />
                    </button>
                  </span>
                )}
              </>
            )}
          </li>
        ))}
      </ul>
      {!loaded && files.length === 0 && <p className="empty muted">{t('files.loading')}</p>}
      {loaded && files.length === 0 && !creating && (
        <div className="empty">
          {editable ? (
            <button type="button" className="link-btn" onClick={() => setCreating(true)}>
              {t('files.emptyEditable')}
            </button>
          ) : (
            <p className="muted">{t('files.emptyViewer')}</p>
          )}
        </div>
      )}
      {deleting && (
        <ConfirmDialog title={t('files.deleteTitle')} confirmLabel={t('files.delete')} busy={deleteBusy} error={deleteError} onConfirm={() => void confirmDelete()} onCancel={() => setDeleting(null)}>
          <p>
            <Trans t={t} i18nKey="files.deleteBody" values={{ path: deleting }} components={[<strong className="mono" />]} />
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

/** A path with its directory dimmed and its name emphasised. */
function FileName({ path }: { path: string }) {
  const slash = path.lastIndexOf('/');
  return (
    <span className="file-name mono">
      <span className="file-icon">
        <Icon name="file" size={14} />
      </span>
      {slash >= 0 && <span className="file-dir">{path.slice(0, slash + 1)}</span>}
      <span>{path.slice(slash + 1)}</span>
    </span>
  );
}
