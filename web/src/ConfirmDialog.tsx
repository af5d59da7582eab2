import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from './i18n';

interface Props {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
  error?: string | null;
}

/** A modal confirmation (native <dialog>: focus is trapped, Escape cancels). */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel, busy = false, error }: Props) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    cancelRef.current?.focus();
    return () => dialog.close();
  }, []);

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="confirm-title"
      data-testid="confirm-dialog"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
      onClick={(e) => {
        if (e.target === ref.current) onCancel(); // a click on the backdrop
      }}
    >
      <h2 id="confirm-title">{title}</h2>
      <div className="dialog-body">{children}</div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="row end">
        <button ref={cancelRef} type="button" className="btn" onClick={onCancel}>
          {t('actions.cancel')}
        </button>
        <button type="button" className="btn danger" onClick={onConfirm} disabled={busy} data-testid="confirm-delete-button">
          {busy ? t('actions.deleting') : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
