import { useEffect, useRef, type ReactNode } from 'react';
import { useModal } from './useModal';
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
  const modal = useModal(onCancel);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => cancelRef.current?.focus(), []);

  return (
    <dialog {...modal} className="dialog" aria-labelledby="confirm-title" data-testid="confirm-dialog">
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
