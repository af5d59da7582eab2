import { useEffect, useRef, useState, type FormEvent } from 'react';
import { FilePathSchema } from '@coderoom/shared/client';
import { firstIssue } from './validation';
import { errorMessage } from './errorMessage';
import { useTranslation } from './i18n';

interface Props {
  label: string;
  initial: string;
  /** Paths already taken (checked before asking the server). */
  taken: readonly string[];
  onSubmit: (path: string) => Promise<void>;
  onCancel: () => void;
  testId: string;
}

/** An inline file-path field: Enter submits, Escape cancels, with validation from the shared schema. */
export function PathInput({ label, initial, taken, onSubmit, onCancel, testId }: Props) {
  const { t } = useTranslation('room');
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const input = ref.current;
    if (!input) return;
    input.focus();
    // Select the name without its extension, as file managers do.
    const dot = initial.lastIndexOf('.');
    const slash = initial.lastIndexOf('/');
    input.setSelectionRange(slash + 1, dot > slash + 1 ? dot : initial.length);
  }, [initial]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const path = value.trim();
    if (path === initial && initial !== '') return onCancel();
    const invalid = firstIssue(FilePathSchema.safeParse(path), t('files.fileName'));
    if (invalid) return setError(invalid);
    if (taken.includes(path)) return setError(t('files.exists', { path }));
    setBusy(true);
    try {
      await onSubmit(path);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
      ref.current?.focus();
    }
  }

  return (
    <form className="path-form" onSubmit={(e) => void submit(e)} noValidate>
      <input
        ref={ref}
        className="path-input"
        value={value}
        onChange={(e) => {
          setValue(e.target.value);
          setError(null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onCancel();
          }
        }}
        onBlur={() => {
          if (!busy && value.trim() === initial) onCancel();
        }}
        aria-label={label}
        aria-invalid={error ? true : undefined}
        placeholder="src/main.ts"
        spellCheck={false}
        autoComplete="off"
        disabled={busy}
        data-testid={testId}
      />
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
