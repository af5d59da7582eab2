import { useEffect, useRef, type MouseEvent, type SyntheticEvent } from 'react';

/**
 * A native <dialog> shown as a modal while mounted (focus trapped, Escape and a click on the
 * backdrop call `onClose`). Spread `props` on the <dialog>.
 */
export function useModal(onClose: () => void) {
  const ref = useRef<HTMLDialogElement>(null);
  const latest = useRef(onClose);
  latest.current = onClose;
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  const props = {
    ref,
    onCancel: (e: SyntheticEvent<HTMLDialogElement>) => {
      e.preventDefault();
      latest.current();
    },
    onClick: (e: MouseEvent<HTMLDialogElement>) => {
      if (e.target === ref.current) latest.current(); // a click on the backdrop
    },
  };
  return props;
}
